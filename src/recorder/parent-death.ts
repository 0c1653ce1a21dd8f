import { spawn } from "node:child_process";

/**
 * A capture must not outlive the daemon: a SIGKILLed (or crashed) daemon's ffmpeg would keep writing into
 * the ring for hours with nobody rotating it. Node cannot call prctl(PR_SET_PDEATHSIG), and the kernel's
 * parent-death signal would not do anyway: it fires each time the *thread* that forked dies, so a dying
 * multi-threaded Node sends ffmpeg several signals, and from its second one on ffmpeg aborts its I/O (the
 * last segment is left out of the segment list). ffmpeg itself ignores EOF on stdin.
 *
 * So each capture gets a guard: a tiny `sh` whose stdin is a pipe from the daemon that is never written.
 * The kernel closes the daemon's end only when the whole process is gone, however it ends (SIGKILL, crash,
 * OOM), with or without systemd; the guard then reads EOF and sends ffmpeg exactly one SIGINT, which ffmpeg
 * handles like `q`: it closes and lists its last segment and exits. Normal stops still use `q`; the guard
 * is released (killed, silently) as soon as its ffmpeg exits.
 */
export const GUARD_SCRIPT = 'read -r _; kill -INT "$1" 2>/dev/null';

export interface ChildGuard {
  release(): void;
}

/** Guard `pid`: it gets one SIGINT when this process ends without releasing the guard. */
export function guardChild(pid: number): ChildGuard {
  const guard = spawn("sh", ["-c", GUARD_SCRIPT, "camsync-guard", String(pid)], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  guard.on("error", () => {}); // no sh: the next daemon start stops a leftover ffmpeg instead
  guard.stdin?.on("error", () => {});
  // never keeps the daemon alive (its end of the pipe closes when the daemon ends, which is the point)
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
