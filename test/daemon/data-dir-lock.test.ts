import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { processStart } from "../../src/evidence/audit-lock.js";
import { DATA_DIR_LOCK_FILE, lockDataDir } from "../../src/storage/data-dir-lock.js";
import { runCli } from "../support/cli.js";
import { DaemonHarness, exitWithin, ffmpegPid, isReady, processesMentioning } from "./daemon-harness.js";

const h = new DaemonHarness();
afterEach(() => h.cleanup());

describe("the data-dir lock (one daemon per data dir)", () => {
  it("a second `camsync run` on the same data dir exits 1 at once, names the first's pid, and touches nothing", async () => {
    const { config, dataDir } = h.config();
    const first = h.start(config);
    await first.waitFor(isReady, 30_000, "first daemon ready");
    const pid = ffmpegPid(dataDir);
    const started = processStart(pid);
    expect(started).not.toBeNull();
    const ring = join(dataDir, "ring", "front");
    const listsBefore = readdirSync(ring).filter((f) => f.endsWith(".csv"));
    expect(JSON.parse(readFileSync(join(dataDir, DATA_DIR_LOCK_FILE), "utf8"))).toEqual({
      pid: first.child.pid,
      command: "camsync run",
    });

    const second = h.start(config);
    expect(await exitWithin(second, 10_000)).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`process ${first.child.pid} \\(camsync run\\) is already using the data directory`),
    );
    const refused = second.lines.find((l) => l.level === "fatal");
    expect(refused?.holder).toEqual({ pid: first.child.pid, command: "camsync run" });
    // nothing signalled, nothing started, nothing written
    expect(second.lines.some((l) => /left over|ffmpeg|component/.test(String(l.msg)))).toBe(false);
    expect(processStart(pid)).toBe(started);
    expect(ffmpegPid(dataDir)).toBe(pid);
    expect(processesMentioning(ring)).toEqual([pid]);
    expect(readdirSync(ring).filter((f) => f.endsWith(".csv"))).toEqual(listsBefore);
    expect(JSON.parse(readFileSync(join(dataDir, DATA_DIR_LOCK_FILE), "utf8")).pid).toBe(first.child.pid);

    // the first daemon is untouched: its control socket answers, and it stops cleanly
    const status = runCli(["status", "--json", "--data-dir", dataDir]);
    expect(status.code).toBe(0);
    expect(await first.stop("SIGTERM")).toBe(0);
    expect(existsSync(join(dataDir, "control.sock"))).toBe(false);
  });

  it("the lock dies with its holder: after a SIGKILL the next daemon starts", async () => {
    const { config } = h.config("", { camera: false });
    const first = h.start(config);
    await first.waitFor(isReady, 30_000);
    await first.stop("SIGKILL");
    const second = h.start(config);
    await second.waitFor(isReady, 30_000, "second daemon ready");
    expect(await second.stop("SIGTERM")).toBe(0);
  });

  it("a CLI write without a daemon (officer set) is refused while another process holds the data dir", async () => {
    const { dataDir } = h.config("", { camera: false });
    const lock = await lockDataDir(dataDir, { command: "camsync run" });
    h.onCleanup(() => lock.release());
    const r = runCli(["officer", "set", "A-1234", "--data-dir", dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`process ${process.pid} \\(camsync run\\) is already using`));
    expect(r.stderr).toMatch(/not recorded/);
    expect(existsSync(join(dataDir, "audit.jsonl"))).toBe(false);
    lock.release();
    expect(runCli(["officer", "set", "A-1234", "--data-dir", dataDir]).code).toBe(0);
  });
});
