import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { processStart } from "../../src/evidence/audit-lock.js";

/**
 * "A child process must not outlive its parent": a small Node process (`child-owner.mjs`, running the
 * built code) starts one kind of child through the real adapter, is SIGKILLed, and every process it
 * started must be gone from /proc within the bound. Where there is no hardware here (GPIO chip, CAN
 * interface) the adapter's injectable command is a real long-running stand-in (`sleep`), which, like
 * gpiomon and candump, ignores its parent's death on its own.
 */
const repoRoot = resolve(import.meta.dirname, "../..");
const OWNER = join(import.meta.dirname, "child-owner.mjs");
const BOUND_MS = 3000;

const dir = mkdtempSync(join(tmpdir(), "camsync-parent-death-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const owners: ChildProcess[] = [];
const seen = new Set<number>();
afterEach(() => {
  for (const o of owners.splice(0)) o.kill("SIGKILL");
  for (const pid of seen) if (processStart(pid) !== null) process.kill(pid, "SIGKILL");
  seen.clear();
});

interface Proc {
  pid: number;
  comm: string;
}

function stat(pid: number): { ppid: number; comm: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = text.slice(text.indexOf("(") + 1, text.lastIndexOf(")"));
    const ppid = Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]);
    return { ppid, comm };
  } catch {
    return null;
  }
}

/** Every living process below `root`. */
function descendants(root: number): Proc[] {
  const byParent = new Map<number, Proc[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const s = stat(pid);
    if (!s || processStart(pid) === null) continue;
    byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), { pid, comm: s.comm }]);
  }
  const out: Proc[] = [];
  const walk = (pid: number) => {
    for (const c of byParent.get(pid) ?? []) {
      out.push(c);
      walk(c.pid);
    }
  };
  walk(root);
  return out;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/** Start the owner, wait until it is ready and `child` (a process name) runs below it. */
async function owner(
  kind: string,
  opts: object,
  child: string,
): Promise<{ owner: ChildProcess; below: Proc[] }> {
  const o = spawn(process.execPath, [OWNER, kind, JSON.stringify(opts)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  owners.push(o);
  let out = "";
  let err = "";
  o.stdout?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  o.stderr?.on("data", (b: Buffer) => {
    err += b.toString();
  });
  const pid = o.pid ?? 0;
  let below: Proc[] = [];
  const ok = await until(() => {
    below = out.includes("ready") ? descendants(pid) : [];
    return below.some((p) => p.comm === child);
  }, 20_000);
  if (!ok) throw new Error(`${kind}: no ${child} below the owner (stdout ${out}, stderr ${err})`);
  // still running a moment later: the child waits (for input, for ever), it did not just end by itself
  await new Promise((r) => setTimeout(r, 500));
  below = descendants(pid);
  if (!below.some((p) => p.comm === child)) throw new Error(`${kind}: ${child} ended before the owner died`);
  for (const p of below) seen.add(p.pid);
  return { owner: o, below };
}

/** SIGKILL the owner; resolves with the processes it started that are still alive after `ms`. */
async function killOwner(o: ChildProcess, below: Proc[], ms = BOUND_MS): Promise<Proc[]> {
  o.kill("SIGKILL");
  const alive = () => below.filter((p) => processStart(p.pid) !== null);
  await until(() => alive().length === 0, ms);
  return alive();
}

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** An H.264 test pattern, keyframe every second, written to `name` in the temp dir. */
function testVideo(name: string, seconds: number, format: string[]): string {
  const path = join(dir, name);
  execFileSync("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
    ...["-i", `testsrc=duration=${seconds}:size=320x240:rate=25`, "-c:v", "libx264", "-g", "25"],
    ...format,
    path,
  ]);
  return path;
}

describe("every child dies with the camsync process that started it (SIGKILL, no systemd)", () => {
  it("gpiomon (libgpiod 1.x adapter, stand-in command) is stopped, so the GPIO line is free again", async () => {
    const gpiomon = script("gpiomon", "exec sleep 600");
    const gpioget = script("gpioget", "echo 0");
    const { owner: o, below } = await owner("gpiomon", { gpiomon, gpioget }, "sleep");
    expect(below.filter((p) => p.comm === "sh")).toHaveLength(1); // its guard
    expect(await killOwner(o, below)).toEqual([]);
  });

  it("candump (SocketCAN adapter, stand-in command) is stopped", async () => {
    const candump = script("candump", "exec sleep 600");
    const { owner: o, below } = await owner("candump", { candump }, "sleep");
    expect(await killOwner(o, below)).toEqual([]);
  });

  it("a Mosquitto the process started is stopped", async () => {
    const mdir = join(dir, "mosquitto");
    const certDir = join(mdir, "certs");
    mkdirSync(mdir, { recursive: true });
    execFileSync("bash", [join(repoRoot, "scripts/make-certs.sh"), certDir, "bc1"], { stdio: "ignore" });
    const opts = {
      dir: mdir,
      shippedConfigPath: join(repoRoot, "config/mosquitto/mosquitto.conf"),
      aclFile: join(repoRoot, "config/mosquitto/acl"),
      certDir,
    };
    const { owner: o, below } = await owner("mosquitto", opts, "mosquitto");
    expect(await killOwner(o, below)).toEqual([]);
  });

  it("an ffmpeg capture is stopped", async () => {
    const { owner: o, below } = await owner("capture", {}, "ffmpeg");
    expect(await killOwner(o, below)).toEqual([]);
  });

  it("a short-lived ffmpeg/ffprobe run still under way is stopped", async () => {
    const { owner: o, below } = await owner("tool", {}, "ffmpeg");
    expect(await killOwner(o, below)).toEqual([]);
  });

  it("the station's clip-cut ffmpeg, waiting on a stalled source, ends with its pipes (no guard needed)", async () => {
    const mp4 = testVideo("source.mp4", 10, ["-movflags", "+faststart"]);
    const bytes = Math.floor(statSync(mp4).size / 2);
    const { owner: o, below } = await owner("clipCut", { mp4, bytes }, "ffmpeg");
    expect(below.map((p) => p.comm)).toEqual(["ffmpeg"]);
    expect(await killOwner(o, below)).toEqual([]);
  });

  it("an event's streamed-concat ffmpeg, waiting on a stalled feed, ends with its pipes (no guard needed)", async () => {
    const ts = testVideo("segment.ts", 2, ["-f", "mpegts"]);
    const bytes = Math.floor(statSync(ts).size / 2);
    const { owner: o, below } = await owner(
      "concat",
      { ts, bytes, output: join(dir, "event.mp4") },
      "ffmpeg",
    );
    expect(await killOwner(o, below)).toEqual([]);
  });

  it("a child that ignores the guard's SIGTERM gets SIGKILL after the grace period", async () => {
    const { owner: o, below } = await owner("stubborn", { killAfterMs: 1000 }, "sleep");
    const stubborn = below.filter((p) => p.comm === "sleep");
    o.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 500));
    expect(stubborn.filter((p) => processStart(p.pid) !== null)).toHaveLength(1); // TERM ignored
    expect(await killOwner(o, below, 1000 + BOUND_MS)).toEqual([]);
  });
});
