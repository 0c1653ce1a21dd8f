// The daemon under test, supervised like systemd (Restart=always): `camsync run --config FILE` with its
// JSON log lines kept (in memory and in a file), SIGKILL + restart for the "daemon killed" fault, and every
// exit the harness did not cause recorded (a crash is an invariant failure).
import { spawn } from "node:child_process";
import {
  closeSync,
  createWriteStream,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
export const cliPath = join(repoRoot, "dist/app/camsync.mjs");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class DaemonProcess {
  /**
   * @param {{ config: string, logFile: string, restartDelayMs?: number, env?: NodeJS.ProcessEnv, nodeArgs?: string[], logToFile?: boolean }} opts
   *   logToFile: the daemon writes its log straight into `logFile` (as to journald: no pipe to this process),
   *   and `lines` fills only when `readLog()` is called. For benchmarks timed in this process's event loop:
   *   parsing the daemon's lines there, as they come, would sit in the path being timed.
   */
  constructor(opts) {
    this.opts = opts;
    /** @type {import("node:child_process").ChildProcess | null} */
    this.child = null;
    /** Every log line of every run: { run, at (harness ms), line }. */
    this.lines = [];
    this.runs = [];
    this.unexpectedExits = [];
    this.log = opts.logToFile ? null : createWriteStream(opts.logFile, { flags: "a" });
    /** logToFile: how far `readLog()` has read, and the partial line it stopped in. */
    this.logRead = { offset: 0, partial: "", decoder: new StringDecoder("utf8") };
    this.listeners = new Set();
    this.stopping = false;
  }

  get pid() {
    return this.child?.pid ?? null;
  }

  get up() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Every log line (past and future) goes to `fn`; returns an unsubscribe function. */
  onLine(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Start the daemon; resolves with the start → "camsync ready" time in ms. */
  async start(readyTimeoutMs = 60_000) {
    const run = {
      n: this.runs.length + 1,
      startedAt: Date.now(),
      readyAt: null,
      endedAt: null,
      pid: null,
      exit: null,
    };
    this.runs.push(run);
    const logFd = this.opts.logToFile ? openSync(this.opts.logFile, "a") : null;
    const child = spawn(
      process.execPath,
      [...(this.opts.nodeArgs ?? []), cliPath, "run", "--config", this.opts.config],
      {
        cwd: repoRoot,
        env: { ...process.env, ...this.opts.env },
        stdio: logFd === null ? ["ignore", "pipe", "pipe"] : ["ignore", logFd, logFd],
      },
    );
    if (logFd !== null) closeSync(logFd);
    this.child = child;
    run.pid = child.pid ?? null;
    this.currentRun = run;
    let buf = "";
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk) => {
      this.log?.write(chunk);
      buf += chunk;
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
        this.addLine(run, text);
      }
    });
    child.stderr?.setEncoding("utf8");
    run.stderr = "";
    child.stderr?.on("data", (c) => {
      this.log?.write(`[stderr] ${c}`);
      run.stderr = (run.stderr + c).slice(-4000);
    });
    child.once("exit", (code, signal) => {
      run.endedAt = Date.now();
      run.exit = { code, signal };
      if (!run.expectedExit && !this.stopping) {
        this.unexpectedExits.push({ run: run.n, at: run.endedAt, code, signal });
        // Restart=always: a crash is recorded (an invariant failure) and the daemon comes back.
        setTimeout(() => {
          if (!this.stopping && this.child === child) this.start().catch(() => {});
        }, this.opts.restartDelayMs ?? 500);
      }
    });
    const end = Date.now() + readyTimeoutMs;
    const tail = () =>
      `${this.lines
        .filter((e) => e.run === run.n)
        .slice(-8)
        .map((e) => JSON.stringify(e.line).slice(0, 400))
        .join("\n")}\n${run.stderr}`;
    while (run.readyAt === null) {
      if (this.opts.logToFile) this.readLog();
      if (run.exit)
        throw new Error(`the daemon exited before it was ready (${JSON.stringify(run.exit)}):\n${tail()}`);
      if (Date.now() > end)
        throw new Error(`the daemon was not ready within ${readyTimeoutMs} ms:\n${tail()}`);
      await sleep(20);
    }
    return run.readyAt - run.startedAt;
  }

  /** One log line of `run`, parsed, kept and handed to the listeners. */
  addLine(run, text) {
    let line;
    try {
      line = JSON.parse(text);
    } catch {
      line = { raw: text };
    }
    const entry = { run: run.n, at: Date.now(), line };
    this.lines.push(entry);
    if (line.msg === "camsync ready" && run.readyAt === null) run.readyAt = entry.at;
    for (const fn of this.listeners) fn(entry);
  }

  /** logToFile: take in the lines the daemon has written to its log file since the last call. */
  readLog() {
    const run = this.currentRun;
    if (!run) return;
    const fd = openSync(this.opts.logFile, "r");
    try {
      const chunk = Buffer.alloc(1 << 16);
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, this.logRead.offset);
        if (n === 0) break;
        this.logRead.offset += n;
        const text = this.logRead.partial + this.logRead.decoder.write(chunk.subarray(0, n));
        const parts = text.split("\n");
        this.logRead.partial = parts.pop() ?? "";
        for (const p of parts) this.addLine(run, p);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The "daemon killed" fault: SIGKILL, then start again after `downMs` with the same config. */
  async killAndRestart(downMs = 500) {
    await this.kill("SIGKILL");
    await sleep(downMs);
    return this.start();
  }

  async kill(signal = "SIGKILL") {
    const child = this.child;
    const run = this.runs[this.runs.length - 1];
    if (!child || !this.up) return;
    if (run) run.expectedExit = signal;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await exited;
  }

  /** Orderly stop at the end of the soak (SIGTERM, as `systemctl stop`). */
  async stop(timeoutMs = 30_000) {
    this.stopping = true;
    const child = this.child;
    if (child && this.up) {
      const run = this.runs[this.runs.length - 1];
      if (run) run.expectedExit = "SIGTERM";
      const exited = new Promise((r) => child.once("exit", r));
      const sentAt = Date.now();
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(t);
      /** SIGTERM → process gone (the daemon must exit within 5 s of stop, whatever failed). */
      this.stopMs = Date.now() - sentAt;
    }
    if (this.log) await new Promise((r) => this.log.end(r));
  }

  /** The daemon's ffmpeg children (pid, camera guess from the command line). */
  ffmpegChildren() {
    const pid = this.pid;
    if (pid === null) return [];
    const out = [];
    for (const p of readdirSync("/proc")) {
      if (!/^\d+$/.test(p)) continue;
      try {
        const stat = readFileSync(`/proc/${p}/stat`, "utf8");
        const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(after[1]) !== pid) continue;
        const cmdline = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
        if (!/ffmpeg$/.test(cmdline[0] ?? "")) continue;
        out.push({ pid: Number(p), cmdline });
      } catch {}
    }
    return out;
  }

  /** RSS (KiB) and open file descriptors of the daemon process itself, or null when it is down. */
  resources() {
    const pid = this.pid;
    if (pid === null || !this.up) return null;
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const rssKiB = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
      const fds = readdirSync(`/proc/${pid}/fd`).length;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cpuTicks = Number(f[11]) + Number(f[12]);
      return { rssKiB, fds, cpuTicks };
    } catch {
      return null;
    }
  }

  /** What the daemon's fds point at (for a leak report). */
  fdTargets() {
    const pid = this.pid;
    if (pid === null) return [];
    try {
      return readdirSync(`/proc/${pid}/fd`).map((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return "?";
        }
      });
    } catch {
      return [];
    }
  }
}
