import { type ChildProcess, spawn } from "node:child_process";

/**
 * A child process must not outlive the camsync process that started it: a SIGKILLed (or crashed)
 * daemon's ffmpeg would keep writing into the ring for hours with nobody rotating it, its gpiomon would
 * keep holding the GPIO line (the next daemon could not claim it), its candump would keep running.
 *
 * Node cannot call prctl(PR_SET_PDEATHSIG), and the kernel's parent-death signal would not do anyway: it
 * fires each time the *thread* that forked dies, so a dying multi-threaded Node sends the child several
 * signals (from its second one on ffmpeg aborts its I/O and leaves the last segment out of its list).
 * Most children (ffmpeg captures, gpiomon, candump, mosquitto) do not read stdin, so EOF alone does not
 * stop them either.
 *
 * So each long-lived child gets a guard: a tiny `sh` whose stdin is a pipe from this process that is
 * never written. The kernel closes this process's end only when the whole process is gone, however it
 * ends (SIGKILL, crash, OOM), with or without systemd; the guard then reads EOF and sends the child
 * exactly one signal (SIGINT for an ffmpeg capture: it closes and lists its last segment; SIGTERM for
 * the others), and SIGKILL `killAfterMs` later if the child is still there. Normal stops are the
 * owner's; the guard is released (killed, silently) as soon as its child exits.
 *
 * Children that end with their pipes need no guard: ffmpeg reading its input from this process's
 * pipe (a clip cut, an event's streamed concat) sees EOF, and one writing to a pipe gets EPIPE.
 */
export const GUARD_SCRIPT = [
  'read -r _; kill -"$2" "$1" 2>/dev/null || exit 0; n=0',
  'while kill -0 "$1" 2>/dev/null; do',
  '  [ "$n" -ge "$3" ] && { kill -KILL "$1" 2>/dev/null; exit 0; }',
  "  n=$((n + 1)); sleep 0.1",
  "done",
].join("\n");

export type GuardSignal = "SIGINT" | "SIGTERM";

export interface GuardOptions {
  /** The signal the child gets when this process dies (default SIGTERM). */
  signal?: GuardSignal;
  /** SIGKILL this long after `signal` if the child is still alive (default 5000 ms). */
  killAfterMs?: number;
}

export interface ChildGuard {
  release(): void;
}

/** Guard `pid`: it is signalled when this process ends without releasing the guard. */
export function guardChild(pid: number, opts: GuardOptions = {}): ChildGuard {
  const signal = (opts.signal ?? "SIGTERM").slice(3);
  const ticks = String(Math.ceil((opts.killAfterMs ?? 5000) / 100)); // the script polls every 100 ms
  const guard = spawn("sh", ["-c", GUARD_SCRIPT, "camsync-guard", String(pid), signal, ticks], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  guard.on("error", () => {}); // no sh: the child is unguarded (the next daemon start stops a leftover ffmpeg)
  guard.stdin?.on("error", () => {});
  // never keeps this process alive (its end of the pipe closes when the process ends, which is the point)
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      guard.kill("SIGKILL");
      guard.stdin?.destroy();
    },
  };
}

/** Guard a spawned child for its whole life: the guard goes away when the child exits. */
export function guardUntilExit<C extends ChildProcess>(child: C, opts: GuardOptions = {}): C {
  if (child.pid === undefined) return child; // never started ("error" follows)
  const guard = guardChild(child.pid, opts);
  child.once("exit", () => guard.release());
  return child;
}
