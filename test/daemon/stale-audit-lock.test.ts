import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DgramSocket } from "node-unix-socket";
import { afterEach, describe, expect, it } from "vitest";
import { AUDIT_LOCK_FILE, currentOwner, processStart } from "../../src/evidence/audit-lock.js";
import { zombie } from "../support/zombie.js";
import { DaemonHarness, eventually, exitWithin, isReady, sleep } from "./daemon-harness.js";

const h = new DaemonHarness();
afterEach(() => h.cleanup());

const msg = (re: RegExp) => (l: Record<string, unknown>) => re.test(String(l.msg));
const auditEntries = (dataDir: string) =>
  readFileSync(join(dataDir, "audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string });

describe("a stale audit lock", () => {
  it("held by a SIGKILLed daemon not yet reaped (zombie): taken over at start, the run is audited", async () => {
    const { config, dataDir } = h.config("control:\n  statusPage:\n    enabled: false\n", { camera: false });
    const { pid, started } = await zombie((fn) => h.onCleanup(fn));
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      join(dataDir, AUDIT_LOCK_FILE),
      JSON.stringify({ pid, bootId: currentOwner().bootId, started }),
    );
    const d = h.start(config);
    await d.waitFor(isReady, 20_000);
    expect(d.lines.some(msg(/component audit failed/))).toBe(false);
    expect(auditEntries(dataDir).map((e) => e.type)).toContain("config-loaded");
    expect(await d.stop("SIGTERM")).toBe(0);
    expect(auditEntries(dataDir).at(-1)?.type).toBe("daemon-stopped");
  });

  it("held by a live process: audit down → READY says DEGRADED, WATCHDOG withheld, alert; taken once it is gone", async () => {
    const { dir, config, dataDir } = h.config("control:\n  statusPage:\n    enabled: false\n", {
      camera: false,
    });
    const holder = spawn("sleep", ["600"], { stdio: "ignore" });
    h.onCleanup(() => holder.kill("SIGKILL"));
    await new Promise((r) => holder.once("spawn", r));
    const pid = holder.pid as number;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      join(dataDir, AUDIT_LOCK_FILE),
      JSON.stringify({ pid, bootId: currentOwner().bootId, started: processStart(pid) }),
    );
    const notifyPath = join(dir, "notify.sock");
    const got: string[] = [];
    const sock = new DgramSocket();
    sock.on("data", (buf: Buffer) => got.push(buf.toString()));
    sock.bind(notifyPath);
    h.onCleanup(() => sock.close());

    const d = h.start(config, { NOTIFY_SOCKET: notifyPath, WATCHDOG_USEC: "1000000" });
    await d.waitFor(msg(/component audit failed to start/), 20_000, "audit failure");
    const ready = await d.waitFor(isReady, 20_000);
    expect(ready.degraded).toEqual([
      expect.stringMatching(/^audit down \(the audit log is in use by process/),
    ]);
    const alert = await d.waitFor((l) => (l.alert as { code?: string })?.code === "component-failed");
    expect(alert.alert).toMatchObject({ severity: "critical", device: "audit" });
    expect(await eventually(() => got.some((m) => m.includes("READY=1")), 5000)).toBe(true);
    expect(got.find((m) => m.includes("READY=1"))).toMatch(/STATUS=DEGRADED: audit down/);
    await sleep(2500); // ≥ 4 watchdog intervals
    expect(got.filter((m) => m === "WATCHDOG=1")).toEqual([]);

    holder.kill("SIGKILL");
    await d.waitFor(msg(/component audit started after a retry/), 30_000, "audit retried");
    expect(await eventually(() => got.includes("WATCHDOG=1"), 5000)).toBe(true);
    expect(auditEntries(dataDir).map((e) => e.type)).toContain("config-loaded");
    d.child.kill("SIGTERM");
    expect(await exitWithin(d, 5000)).toBe(0);
  });
});
