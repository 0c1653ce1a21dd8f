import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * `{dataDir}/audit.lock`: one writer per audit log (two writers would fork the hash chain).
 * The daemon holds it while running; the CLI takes it for direct amendments when no daemon runs.
 *
 * The file names its owner by pid, boot id and the process's start time (Linux `/proc`), so a lock
 * left by a crash or power cut is recognised as stale even when, after a reboot, the same pid now
 * belongs to another process — or to the new daemon itself.
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

export interface LockOwner {
  pid: number;
  /** `/proc/sys/kernel/random/boot_id`; null where there is no /proc. */
  bootId: string | null;
  /** Start time of the process in clock ticks since boot (`/proc/{pid}/stat` field 22); null without /proc. */
  started: string | null;
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
}

/** Fields 3… of `/proc/{pid}/stat` (after the command name), or null when there is no such process. */
function statFields(pid: number): string[] | null {
  const stat = readOr(`/proc/${pid}/stat`);
  if (!stat) return null;
  // the command name (field 2) is in parentheses and may contain spaces: count fields after it
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/**
 * Whether a process has ended but is not yet reaped by its parent (state Z, or X while being reaped): a
 * SIGKILLed daemon whose supervisor has not collected it yet. It holds nothing any more.
 */
export function isZombie(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state === "Z" || state === "X";
}

/**
 * Start time of a living process (clock ticks since boot), or null when it does not exist, is a zombie
 * (dead, not yet reaped) or /proc is absent.
 */
export function processStart(pid: number): string | null {
  const fields = statFields(pid);
  if (!fields || fields[0] === "Z" || fields[0] === "X") return null;
  return fields[19] ?? null; // field 22 overall
}

export function currentOwner(): LockOwner {
  return {
    pid: process.pid,
    bootId: readOr("/proc/sys/kernel/random/boot_id"),
    started: processStart(process.pid),
  };
}

function parseOwner(text: string): LockOwner | null {
  let v: unknown = null;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v === "number") v = { pid: v }; // a plain pid (older lock files)
  const o = v as Partial<LockOwner> | null;
  if (typeof o?.pid !== "number" || !Number.isInteger(o.pid) || o.pid <= 0) return null;
  return { pid: o.pid, bootId: o.bootId ?? null, started: o.started ?? null };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether the recorded owner is still the running process it was (pure given `now`). */
export function ownerAlive(
  owner: LockOwner,
  now: LockOwner,
  started: (pid: number) => string | null,
): boolean {
  if (owner.bootId && now.bootId && owner.bootId !== now.bootId) return false; // rebooted since
  if (owner.started) return started(owner.pid) === owner.started; // same pid, same process
  return pidAlive(owner.pid);
}

/** Locks this process holds (a second open in the same process is refused too). */
const heldHere = new Set<string>();

export interface AuditLock {
  release(): void;
}

export function acquireAuditLock(dataDir: string): AuditLock {
  const path = resolve(join(dataDir, AUDIT_LOCK_FILE));
  if (heldHere.has(path)) throw new AuditLockedError(path, process.pid);
  const me = currentOwner();
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o640);
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      heldHere.add(path);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          heldHere.delete(path);
          try {
            if (parseOwner(readFileSync(path, "utf8"))?.pid === process.pid) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const text = readOr(path);
      if (text === null) continue; // removed meanwhile: try again
      const owner = parseOwner(text);
      if (owner && ownerAlive(owner, me, processStart)) throw new AuditLockedError(path, owner.pid);
      try {
        unlinkSync(path); // stale (owner gone, rebooted, pid reused) or unreadable
      } catch {
        // someone else removed it first
      }
    }
  }
  throw new Error(`could not take ${path}`);
}
