// Operator mistakes and stale state (issue 11): what a new installer or a hurried restart leaves behind.
// - at the first start, the status page's port is held by another service (freed a few seconds later), and
//   the data dir holds stale locks: an audit.lock and a daemon.lock naming a daemon that was SIGKILLed and
//   is not yet reaped (a zombie);
// - during the run, the "second-daemon" fault starts another `camsync run` on the same data dir.
// Each is recorded as a fault with what was observed; invariant 10 judges them.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { cliPath, repoRoot } from "./daemon-process.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function procState(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
  } catch {
    return undefined;
  }
}

/**
 * A process that was SIGKILLed but is not reaped (a zombie): its parent (`sleep`, after `exec`) never waits
 * for it, like a supervisor slow to collect a killed daemon. Returns its pid, the start time it had while
 * alive (`/proc/{pid}/stat` field 22) and a `release()` that lets it be reaped.
 * @returns {Promise<{ pid: number, started: string, release: () => void }>}
 */
export async function zombie() {
  const parent = spawn("sh", ["-c", "sleep 600 & echo $!; exec sleep 600"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const release = () => parent.kill("SIGKILL");
  const pid = await new Promise((resolve) =>
    parent.stdout.once("data", (b) => resolve(Number.parseInt(b.toString(), 10))),
  );
  const started = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[19] ?? "";
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 50 && procState(pid) !== "Z"; i++) await sleep(100);
  if (procState(pid) !== "Z") {
    release();
    throw new Error(`process ${pid} did not become a zombie`);
  }
  return { pid, started, release };
}

/** A free loopback TCP port (for the status page). */
export async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Another service holding `port` on loopback until `free()`. */
async function squat(port) {
  const server = createServer((socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return () => new Promise((r) => server.close(() => r()));
}

async function statusPageAnswers(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/status`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * The mistakes in place before the first start. Call `before()` before the daemon starts and `after()`
 * once it is ready; both push their faults onto `faults`.
 */
export class StartupMistakes {
  /** @param {{ dataDir: string, statusPort: number, rng: { between(a: number, b: number): number }, faults: object[], log: (s: string) => void }} o */
  constructor(o) {
    this.o = o;
  }

  async before() {
    const { dataDir, statusPort, faults } = this.o;
    const at = Date.now();
    this.zombie = await zombie();
    const { pid, started } = this.zombie;
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    writeFileSync(join(dataDir, "audit.lock"), `${JSON.stringify({ pid, bootId, started })}\n`);
    writeFileSync(join(dataDir, "daemon.lock"), `${JSON.stringify({ pid, command: "camsync run" })}\n`);
    this.staleLock = { kind: "stale-lock", at, until: at, holderPid: pid, auditUpAtReady: null };
    faults.push(this.staleLock);
    this.freePort = await squat(statusPort);
    this.busyPort = {
      kind: "busy-port",
      at: Date.now(),
      until: null,
      port: statusPort,
      downAtStart: null,
      upAfterFreeMs: null,
    };
    faults.push(this.busyPort);
  }

  /** @param {{ lines: { run: number, line: Record<string, unknown> }[] }} daemon */
  async after(daemon) {
    const { statusPort, rng, log } = this.o;
    const firstRun = daemon.lines.filter((e) => e.run === 1).map((e) => e.line);
    const failed = (name) => firstRun.some((l) => l.msg?.startsWith?.(`component ${name} failed to start`));
    this.staleLock.auditUpAtReady = !failed("audit");
    this.staleLock.until = Date.now();
    this.zombie.release();
    this.busyPort.downAtStart = failed("status-page") && !(await statusPageAnswers(statusPort));
    const holdMs = Math.round(rng.between(2000, 8000));
    log(`soak: status page port ${statusPort} busy at start; freeing it in ${holdMs} ms`);
    await sleep(holdMs);
    await this.freePort();
    const freedAt = Date.now();
    while (Date.now() - freedAt < 30_000) {
      if (await statusPageAnswers(statusPort)) {
        this.busyPort.upAfterFreeMs = Date.now() - freedAt;
        break;
      }
      await sleep(250);
    }
    this.busyPort.until = Date.now();
  }
}

/**
 * The "second-daemon" fault: `camsync run` again on the running daemon's data dir. It must exit 1 at once,
 * naming the running daemon's pid, and leave its ffmpeg alone.
 * @param {{ config: string, daemon: { pid: number | null, ffmpegChildren(): { pid: number, cmdline: string[] }[] } }} o
 */
export async function startSecondDaemon(o, f) {
  const runningPid = o.daemon.pid;
  // the cameras' captures (not the short muting and assembly jobs, which come and go)
  const captures = () =>
    o.daemon
      .ffmpegChildren()
      .filter((p) => p.cmdline.includes("-segment_list"))
      .map((p) => p.pid);
  const ffmpegBefore = captures();
  const child = spawn(process.execPath, [cliPath, "run", "--config", o.config], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c) => {
    stderr += c;
  });
  let stdout = "";
  child.stdout.on("data", (c) => {
    stdout += c;
  });
  const t0 = Date.now();
  const exited = new Promise((r) => child.once("exit", (code) => r(code)));
  const code = await Promise.race([exited, sleep(10_000).then(() => "still running")]);
  if (code === "still running") {
    child.kill("SIGKILL");
    await exited;
  }
  Object.assign(f, {
    until: Date.now(),
    exitCode: code,
    exitMs: Date.now() - t0,
    runningPid,
    namedHolder: runningPid !== null && stderr.includes(`process ${runningPid} `),
    stderr: stderr.trim().slice(0, 300),
    // what it logged: only its refusal (nothing started, signalled or written)
    logged: stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        try {
          return JSON.parse(l).msg;
        } catch {
          return l;
        }
      }),
    ffmpegBefore,
    ffmpegAfter: captures(),
    runningPidAfter: o.daemon.pid,
  });
}
