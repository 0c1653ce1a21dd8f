import { readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../core/logger.js";
import { writeFileAtomicSync } from "../storage/atomic-file.js";

/**
 * The pid file of a camera's running ffmpeg (`{ringDir}/ffmpeg.pid`), so that a daemon restarted after
 * being killed can find and stop the ffmpeg its predecessor left running.
 */
const PID_FILE = "ffmpeg.pid";

export function writeFfmpegPid(ringDir: string, pid: number, log: Logger): void {
  try {
    writeFileAtomicSync(join(ringDir, PID_FILE), `${pid}\n`);
  } catch (err) {
    log.warn({ err }, "cannot write ffmpeg.pid (a restarted daemon will not find this ffmpeg)");
  }
}

export function removeFfmpegPid(ringDir: string): void {
  try {
    unlinkSync(join(ringDir, PID_FILE));
  } catch {
    // already gone
  }
}

/**
 * An ffmpeg left running by a daemon that was killed: stop it so its last segment is closed and listed.
 * Only a process whose command line names this ring directory is signalled (pids are reused).
 */
export async function stopOrphanFfmpeg(ringDir: string, camera: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(ringDir, PID_FILE), "utf8"), 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return;
  }
  if (!cmdline.includes(ringDir)) return;
  log.warn({ pid }, `camera ${camera}: stopping ffmpeg left over from a previous daemon`);
  for (const signal of ["SIGINT", "SIGTERM", "SIGKILL"] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
    }
  }
}
