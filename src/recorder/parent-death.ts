import { spawnSync } from "node:child_process";

/**
 * A capture must not outlive the daemon: a SIGKILLed (or crashed) daemon's ffmpeg would keep writing into
 * the ring for hours with nobody rotating it. Node cannot call prctl(PR_SET_PDEATHSIG) itself, so the child
 * is started through util-linux `setpriv --pdeathsig INT`, which sets it and then execs ffmpeg (same pid):
 * when the daemon dies, the kernel sends ffmpeg SIGINT, which ffmpeg handles like `q` (it closes the current
 * segment and its list, so the last segment stays intact). Without setpriv (not Linux, util-linux < 2.33)
 * the child is started as is and the next daemon start stops the leftover (camera `stopOrphan`).
 */
export const PARENT_DEATH_SIGNAL = "INT";

let support: boolean | undefined;

/** Whether `setpriv --pdeathsig` is available (probed once). */
export function parentDeathSupported(): boolean {
  if (support === undefined) {
    if (process.platform !== "linux") support = false;
    else {
      const r = spawnSync("setpriv", ["--help"], { encoding: "utf8", timeout: 5000 });
      support = r.status === 0 && r.stdout.includes("--pdeathsig");
    }
  }
  return support;
}

/** The command line that runs `command args` so that it receives SIGINT when this process dies. */
export function diesWithParent(command: string, args: string[]): { command: string; args: string[] } {
  if (!parentDeathSupported()) return { command, args };
  return { command: "setpriv", args: ["--pdeathsig", PARENT_DEATH_SIGNAL, "--", command, ...args] };
}
