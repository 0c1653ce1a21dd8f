import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliProcess } from "../support/cli.js";

/** Real `camsync run` processes on temp data dirs, for the lifecycle tests (lock, retries, exit, ffmpeg). */
export class DaemonHarness {
  private readonly cleanups: (() => Promise<unknown> | unknown)[] = [];

  async cleanup(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) await c();
  }

  onCleanup(fn: () => Promise<unknown> | unknown): void {
    this.cleanups.push(fn);
  }

  /** A config with one small test-pattern camera (1 s segments); `extra` YAML is appended. */
  config(extra = "", opts: { camera?: boolean } = {}): { dir: string; config: string; dataDir: string } {
    const dir = mkdtempSync(join(tmpdir(), "camsync-life-"));
    this.cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, "data");
    const config = join(dir, "camsync.yaml");
    const camera =
      opts.camera === false
        ? ""
        : "recorder:\n  segmentSeconds: 1\n  storage:\n    reserveMinutes: 0\n  cameras:\n    - name: front\n      input: { type: test }\n      video: { width: 160, height: 120, fps: 10, bitrateKbps: 100 }\n      audio: { enabled: false }\n";
    writeFileSync(
      config,
      `vehicle:\n  id: unit12\ndataDir: ${dataDir}\nactivation:\n  preEventSeconds: 5\n  postRollSeconds: 2\n${camera}${extra}`,
    );
    return { dir, config, dataDir };
  }

  start(config: string, env: NodeJS.ProcessEnv = {}): CliProcess {
    const p = new CliProcess(["run", "--config", config], { env });
    this.cleanups.push(() => p.stop("SIGKILL"));
    return p;
  }
}

export const isReady = (l: Record<string, unknown>) => l.msg === "camsync ready";

/** The pid the camera wrote for its running ffmpeg. */
export function ffmpegPid(dataDir: string, camera = "front"): number {
  return Number.parseInt(readFileSync(join(dataDir, "ring", camera, "ffmpeg.pid"), "utf8"), 10);
}

/** Pids of every living (not zombie) process whose command line mentions `text`. */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const state = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.[0];
      if (state === "Z" || state === "X") continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Resolves with the process's exit code, or "still running" after `ms`. */
export function exitWithin(p: CliProcess, ms: number): Promise<number | null | "still running"> {
  return Promise.race([
    p.exited,
    new Promise<"still running">((r) => setTimeout(() => r("still running"), ms)),
  ]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check` every 100 ms until it returns true or `ms` pass; returns its last answer. */
export async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(100);
  }
  return check();
}
