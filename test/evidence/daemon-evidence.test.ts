import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import { createAuditLog } from "../../src/evidence/audit-log.js";
import { loadManifest } from "../../src/evidence/manifest-file.js";
import { CliProcess, runCli } from "../support/cli.js";
import { FakeClock } from "../support/fake-clock.js";
import { makeEvent, tempDataDir } from "./event-fixture.js";
import { S3ServerProcess } from "./s3-server.js";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("evidence in the running daemon (real processes: camsync run, s3rver, the CLI)", () => {
  it("audits, uploads and verifies a finished event, takes operator actions through the socket; verify and report agree", async () => {
    const s3 = new S3ServerProcess();
    cleanups.push(() => s3.dispose());
    await s3.start();
    const dir = tempDataDir("daemon-evidence");
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, "data");
    const creds = join(dir, "s3-credentials");
    writeFileSync(creds, "[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
    chmodSync(creds, 0o600);
    const config = join(dir, "camsync.yaml");
    writeFileSync(
      config,
      `vehicle:\n  id: unit12\ndataDir: ${dataDir}\ncontrol:\n  statusPage:\n    enabled: false\n` +
        `evidence:\n  offload:\n    enabled: true\n    endpoint: ${s3.endpoint}\n    bucket: evidence\n` +
        `    credentialsFile: ${creds}\n    partSizeMiB: 5\n    probeIntervalSeconds: 1\n`,
    );
    // an event the recorder finished before this start (finalization recorded in the audit log)
    const audit = createAuditLog({ dataDir, clock: new FakeClock(), logger: silentLogger() });
    audit.open();
    const e = makeEvent(dataDir, {
      startedAt: Date.UTC(2026, 10, 26, 9),
      cameras: [{ name: "front", bytes: 6 * 1024 * 1024 }],
    });
    audit.recordFinalized(e.eventId, e.dir, e.manifestSha256);
    audit.close();

    const d = new CliProcess(["run", "--config", config]);
    cleanups.push(() => d.stop("SIGKILL"));
    await d.waitFor((l) => l.msg === "camsync ready", 20_000, "ready");
    await d.waitFor((l) => l.msg === "offload: event uploaded and verified", 20_000, "upload verified");
    expect(loadManifest(e.dir).manifest.offload).toMatchObject({ state: "verified", method: "read-back" });

    const officer = runCli(["officer", "set", "B-4711", "--data-dir", dataDir]);
    expect(officer.stderr).toBe("");
    expect(officer.stdout).toContain("via the running daemon");
    // a critical tag and one event's officer also go through the running daemon (one audit writer)
    const tag = runCli(["event", "tag", e.eventId, "--critical", "--note", "pursuit", "--data-dir", dataDir]);
    expect(tag.stderr).toBe("");
    expect(tag.stdout).toContain("via the running daemon");
    expect(loadManifest(e.dir).manifest).toMatchObject({ critical: true, notes: ["pursuit"] });
    const eventOfficer = runCli(["officer", "set", "B-0815", "--event", e.eventId, "--data-dir", dataDir]);
    expect(eventOfficer.stderr).toBe("");
    expect(loadManifest(e.dir).manifest.officer).toBe("B-0815");
    expect(runCli(["trigger", "start", "--reason", "traffic stop", "--config", config]).code).toBe(0);
    expect(runCli(["verify", dataDir]).stdout).toMatch(/^OK: 1 event\(s\), 3 file\(s\)/m); // while running
    expect(await d.stop("SIGTERM")).toBe(0);

    const types = readFileSync(join(dataDir, "audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types.at(-1)).toBe("daemon-stopped");
    for (const t of [
      "event-finalized",
      "config-loaded",
      "upload-started",
      "manifest-amended",
      "officer-set",
      "decision",
    ]) {
      expect(types).toContain(t);
    }
    const verify = runCli(["verify", dataDir]);
    expect(verify.stdout).toMatch(/^OK: 1 event\(s\), 3 file\(s\), \d+ audit entries verified$/m);
    expect(verify.code).toBe(0);

    const report = runCli(["report", "--since", "2026-11-01", "--data-dir", dataDir, "--json"]);
    expect(report.code).toBe(0);
    const r = JSON.parse(report.stdout) as {
      activations: { eventId: string; origin: string; upload: { state: string } }[];
    };
    expect(r.activations.find((a) => a.eventId === e.eventId)?.upload.state).toBe("verified");
    expect(r.activations.some((a) => a.origin === "cli:cli")).toBe(true);

    // tamper after the fact: the CLI names it
    writeFileSync(join(e.dir, "front.mp4"), "replaced");
    const after = runCli(["verify", e.dir]);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain(`CHANGED  ${join(e.dir, "front.mp4")}: size 8 bytes`);
  });
});
