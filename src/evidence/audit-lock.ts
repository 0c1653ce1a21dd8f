import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * `{dataDir}/audit.lock`: one writer per audit log (two writers would fork the hash chain).
 * The daemon holds it while running; the CLI takes it for direct amendments when no daemon runs.
 * The file holds the owner's pid; a lock whose pid is gone is stale and taken over.
 */
export const AUDIT_LOCK_FILE = "audit.lock";

export class AuditLockedError extends Error {
  override name = "AuditLockedError";
  constructor(
    readonly lockPath: string,
    readonly pid: number,
  ) {
    super(`the audit log is in use by process ${pid} (${lockPath}); is the camsync daemon running?`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface AuditLock {
  release(): void;
}

export function acquireAuditLock(dataDir: string): AuditLock {
  const path = join(dataDir, AUDIT_LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o640);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let pid = Number.NaN;
      try {
        pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
      } catch {
        continue; // removed meanwhile: try again
      }
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new AuditLockedError(path, pid);
      }
      try {
        unlinkSync(path); // stale (owner gone) or unreadable
      } catch {
        // someone else removed it first
      }
    }
  }
  throw new Error(`could not take ${path}`);
}
