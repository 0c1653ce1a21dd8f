import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CONFIG_PATH_KEYS } from "../../src/config/config-paths.js";
import { loadConfigFile } from "../../src/config/load.js";
import { repoRoot, runCli } from "../support/cli.js";

const root = mkdtempSync(join(tmpdir(), "camsync-preflight-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A config file in a fresh directory of its own (so relative paths have somewhere to point). */
function configIn(lines: string[]): { dir: string; file: string } {
  const dir = join(root, `c${++n}`);
  mkdirSync(dir);
  const file = join(dir, "camsync.yaml");
  writeFileSync(file, ["vehicle: { id: t1 }", ...lines, ""].join("\n"));
  return { dir, file };
}

describe("config paths are relative to the config file, not the working directory", () => {
  it("every path key is resolved against the file's directory", () => {
    const { dir, file } = configIn([
      "dataDir: data",
      "vehicleBus: { enabled: true, dbc: car.dbc, source: { type: replay, file: logs/drive.log } }",
      "gps: { enabled: true, source: { type: replay, file: /abs/track.nmea } }",
      "recorder: { ffmpegPath: ./bin/ffmpeg, ffprobePath: ffprobe, cameras: [{ name: dash, input: { type: v4l2, device: dev/video9 } }] }",
      "mqtt: { caFile: certs/ca.crt, certFile: certs/me.crt, keyFile: certs/me.key }",
      "evidence: { offload: { credentialsFile: s3.creds } }",
    ]);
    const r = loadConfigFile(file);
    if (!r.ok) throw new Error(r.problems.join("\n"));
    const c = r.config;
    expect(c.dataDir).toBe(join(dir, "data"));
    expect(c.vehicleBus.dbc).toBe(join(dir, "car.dbc"));
    expect(c.vehicleBus.source).toMatchObject({ file: join(dir, "logs/drive.log") });
    expect(c.gps.source).toMatchObject({ file: "/abs/track.nmea" });
    expect(c.recorder.ffmpegPath).toBe(join(dir, "bin/ffmpeg"));
    expect(c.recorder.ffprobePath).toBe("ffprobe"); // a bare name is looked up on PATH
    expect(c.recorder.cameras[0]?.input).toMatchObject({ device: join(dir, "dev/video9") });
    expect([c.mqtt.caFile, c.mqtt.certFile, c.mqtt.keyFile]).toEqual(
      ["ca.crt", "me.crt", "me.key"].map((f) => join(dir, "certs", f)),
    );
    expect(c.evidence.offload.credentialsFile).toBe(join(dir, "s3.creds"));
  });

  it("no path-like key of the schema is left out", () => {
    const schema: unknown = JSON.parse(readFileSync(join(repoRoot, "config/camsync.schema.json"), "utf8"));
    const found = new Set<string>();
    const walk = (node: unknown, path: string[]) => {
      if (node === null || typeof node !== "object") return;
      const o = node as Record<string, unknown>;
      for (const [k, v] of Object.entries((o.properties as Record<string, unknown>) ?? {})) {
        const p = [...path, k];
        if ((v as { type?: string }).type === "string" && /(file|path|dir|dbc|device)$/i.test(k)) {
          found.add(p.join(".").replace(/\.\[\]/g, "[]"));
        }
        walk(v, p);
      }
      if (o.items) walk(o.items, [...path.slice(0, -1), `${path.at(-1)}[]`]);
      for (const alt of [...((o.anyOf as unknown[]) ?? []), ...((o.oneOf as unknown[]) ?? [])])
        walk(alt, path);
    };
    walk(schema, []);
    const known = new Set<string>(CONFIG_PATH_KEYS);
    // ALSA names (hw:1,0) are not paths.
    expect([...found].filter((k) => !known.has(k) && !k.endsWith("audioDevice"))).toEqual([]);
  });

  it("a command run from another directory uses the data dir next to the config", () => {
    const { dir, file } = configIn(["dataDir: data"]);
    const elsewhere = join(root, "elsewhere");
    mkdirSync(elsewhere);
    const r = runCli(["officer", "set", "D-0042", "--config", file], { cwd: elsewhere });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readFileSync(join(dir, "data", "audit.jsonl"), "utf8")).toContain("D-0042");
  });
});

describe("config check reports what run would fail on", () => {
  it("missing files the config names, and an unusable data dir, exit 1", () => {
    const { dir, file } = configIn([
      "dataDir: not-a-dir",
      "vehicleBus: { enabled: true, dbc: car.dbc, source: { type: replay, file: drive.log } }",
      "mqtt: { url: 'mqtts://127.0.0.1:8883', caFile: ca.crt, certFile: me.crt, keyFile: /dev/zero }",
      "recorder: { ffmpegPath: ./no-ffmpeg, cameras: [{ name: dash, input: { type: test } }] }",
    ]);
    writeFileSync(join(dir, "not-a-dir"), "a file where the data dir should be\n");
    writeFileSync(join(dir, "drive.log"), "(1.0) can0 100#00\n");
    mkdirSync(join(dir, "ca.crt"));
    const r = runCli(["config", "check", file]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split("\n").map((l) => l.trim());
    expect(lines).toContain(`dataDir: ${join(dir, "not-a-dir")}: a regular file, not a directory`);
    expect(lines).toContain(`vehicleBus.dbc: ${join(dir, "car.dbc")}: no such file or directory (ENOENT)`);
    expect(lines).toContain(`mqtt.caFile: ${join(dir, "ca.crt")}: a directory, not a regular file`);
    expect(lines).toContain(`mqtt.certFile: ${join(dir, "me.crt")}: no such file or directory (ENOENT)`);
    expect(lines).toContain("mqtt.keyFile: /dev/zero: a character device, not a regular file");
    expect(lines).toContain(`recorder.ffmpegPath: ${join(dir, "no-ffmpeg")} is not an executable file`);
    expect(r.stderr).toMatch(/6 problems/);
    // The replay log exists: not a problem. --no-files checks the file alone.
    expect(r.stderr).not.toContain("drive.log");
    expect(runCli(["config", "check", "--no-files", file]).code).toBe(0);
  });

  it("a data dir that cannot be created (a file in its path)", () => {
    const { dir, file } = configIn(["dataDir: blocker/data"]);
    writeFileSync(join(dir, "blocker"), "");
    const r = runCli(["config", "check", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `dataDir: ${join(dir, "blocker/data")} cannot be created: ${join(dir, "blocker")} is a regular file`,
    );
  });

  it("absent devices are warnings, not problems (a camera unplugged on the bench)", () => {
    const { file } = configIn([
      "dataDir: data",
      "recorder: { cameras: [{ name: dash, input: { type: v4l2, device: /dev/video-absent } }] }",
    ]);
    const r = runCli(["config", "check", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "warning: recorder.cameras[0].input.device: /dev/video-absent is not there now",
    );
  });
});
