// A benchmark that times a serial line from the adapter's side needs to hold the pseudo-terminal's master
// itself: with socat between (soak/slcan-adapter.mjs), every frame also crosses socat's process and a second
// pseudo-terminal (0.27–0.43 ms p50 against 0.16 ms direct, docs/performance.md), a hop no car has: a USB
// adapter's driver pushes its bytes into the tty layer as a master write does. Node cannot open a
// pseudo-terminal, so the benchmark re-runs itself as a child of python3's `pty.openpty()`, which hands both
// ends over as inherited descriptors (named in CAMSYNC_BENCH_PTY) and execs node in its place.
import { spawn } from "node:child_process";

const OPEN_PTY = `
import os, pty, sys, tty
master, slave = pty.openpty()
tty.setraw(master)
tty.setraw(slave)
os.set_inheritable(master, True)
os.set_inheritable(slave, True)
os.environ["CAMSYNC_BENCH_PTY"] = f"{master}:{slave}:{os.ttyname(slave)}"
os.execvp(sys.argv[1], sys.argv[1:])
`;

/** The pseudo-terminal this process was started with, or null when it was not. */
export function inheritedPty() {
  const v = process.env.CAMSYNC_BENCH_PTY;
  if (!v) return null;
  const [master, slave, path] = v.split(":");
  return { master: Number(master), slave: Number(slave), path };
}

/**
 * Run `script` (a benchmark file) under python3's pseudo-terminal and return the JSON it prints on stdout
 * (its `run()` result); its stderr passes through.
 */
export function runWithPty(script) {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-c", OPEN_PTY, process.execPath, script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("error", (err) =>
      reject(new Error(`cannot start python3 for the benchmark's pseudo-terminal: ${err.message}`)),
    );
    child.on("exit", (code, signal) => {
      if (code !== 0) {
        reject(new Error(`${script} exited with ${signal ?? code}`));
        return;
      }
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`${script} printed no result: ${out.slice(0, 200)}`));
      }
    });
  });
}
