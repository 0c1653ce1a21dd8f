import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DgramSocket } from "node-unix-socket";
import { afterEach, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../support/cli.js";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempConfig(extra = ""): { dir: string; config: string; dataDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "camsync-run-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, "data");
  const config = join(dir, "camsync.yaml");
  writeFileSync(
    config,
    `vehicle:\n  id: unit12\ndataDir: ${dataDir}\nactivation:\n  preEventSeconds: 5\n  postRollSeconds: 2\ncontrol:\n  statusPage:\n    enabled: false\n${extra}`,
  );
  return { dir, config, dataDir };
}

function startDaemon(config: string, env: NodeJS.ProcessEnv = {}): CliProcess {
  const p = new CliProcess(["run", "--config", config], { env });
  cleanups.push(() => p.stop("SIGKILL"));
  return p;
}

const isReady = (l: Record<string, unknown>) => l.msg === "camsync ready";
const decision = (type: string) => (l: Record<string, unknown>) =>
  (l.decision as { type?: string } | undefined)?.type === type;

describe("camsync run", () => {
  it("starts, takes a manual start over the control socket, logs the event start with its reason, and stops on SIGTERM", async () => {
    const { config, dataDir } = tempConfig();
    const d = startDaemon(config);
    await d.waitFor(isReady, 20_000, "ready");
    const sock = join(dataDir, "control.sock");
    expect(statSync(sock).mode & 0o777).toBe(0o660);

    const r = runCli(["trigger", "start", "--reason", "traffic stop", "--config", config]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^event-start: traffic stop$/m);
    const started = await d.waitFor(decision("event-start"), 5000, "event-start");
    expect(started.decision).toMatchObject({ type: "event-start", reason: "traffic stop" });
    expect(started.level).toBe("info");

    const status = runCli(["status", "--json", "--data-dir", dataDir]);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s).toMatchObject({ state: "active", vehicle: "unit12", origin: { kind: "cli", id: "cli" } });
    expect(s.eventId).toMatch(/^\d{8}T\d{6}Z-unit12-[0-9a-f]{4}$/);

    expect(await d.stop("SIGTERM")).toBe(0);
    expect(d.lines.some((l) => l.msg === "camsync stopped")).toBe(true);
  });

  it("a daemon killed mid-event resumes the same event after restart", async () => {
    const { config, dataDir } = tempConfig();
    const a = startDaemon(config);
    await a.waitFor(isReady);
    runCli(["trigger", "start", "--data-dir", dataDir]);
    const started = await a.waitFor(decision("event-start"));
    const eventId = (started.decision as { eventId: string }).eventId;
    await a.stop("SIGKILL");

    const b = startDaemon(config);
    const resumed = await b.waitFor(decision("event-resume"), 20_000, "event-resume");
    expect((resumed.decision as { eventId: string }).eventId).toBe(eventId);
    await b.waitFor(isReady);
    const stop = runCli(["trigger", "stop", "--data-dir", dataDir]);
    expect(stop.stdout).toMatch(/stop-requested/);
    const ended = await b.waitFor(decision("event-end"), 10_000, "event-end");
    expect((ended.decision as { eventId: string }).eventId).toBe(eventId);
  });

  it("trigger and status fail clearly (exit 1) when no daemon is running", () => {
    const { dataDir } = tempConfig();
    const r = runCli(["trigger", "start", "--data-dir", dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no daemon is listening/);
    expect(runCli(["status", "--data-dir", dataDir]).code).toBe(1);
  });

  it("refuses an invalid config with every problem listed, exit 1", () => {
    const { config } = tempConfig("bogus: 1\n");
    const r = runCli(["run", "--config", config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bogus: unknown key/);
  });

  it("tells systemd READY=1 and sends WATCHDOG=1 while healthy (sd_notify datagrams)", async () => {
    const { dir, config } = tempConfig();
    const notifyPath = join(dir, "notify.sock");
    const got: string[] = [];
    const sock = new DgramSocket();
    sock.on("data", (buf: Buffer) => got.push(buf.toString()));
    sock.bind(notifyPath);
    cleanups.push(() => sock.close());
    const d = startDaemon(config, { NOTIFY_SOCKET: notifyPath, WATCHDOG_USEC: "1000000" });
    await d.waitFor(isReady);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !got.some((m) => m.includes("WATCHDOG=1"))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(got[0]).toMatch(/^READY=1$/m);
    expect(got.some((m) => m === "WATCHDOG=1")).toBe(true);
    await d.stop();
    expect(got.some((m) => m.includes("STOPPING=1"))).toBe(true);
  });
});
