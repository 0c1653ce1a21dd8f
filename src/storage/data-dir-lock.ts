import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { z } from "zod";

/**
 * `{dataDir}/daemon.lock`: one camsync at a time per data directory. An exclusive `flock(2)` held for the
 * whole life of the process: the kernel releases it when the process ends, however it ends (SIGKILL, power
 * cut), so it can never go stale. The holder writes its pid and command into the file after locking, so a
 * refused process can name it.
 *
 * The daemon takes it before anything else (before a component starts, a file is touched or a process is
 * signalled); the CLI takes it for the few writes it makes without a daemon (tagging, officer changes).
 */
export const DATA_DIR_LOCK_FILE = "daemon.lock";

interface FsExt {
  flockSync(fd: number, flags: "ex" | "exnb" | "sh" | "shnb" | "un"): void;
}
const { flockSync } = createRequire(import.meta.url)("fs-ext") as FsExt;

const holderSchema = z.object({ pid: z.number().int().positive(), command: z.string() });
export type LockHolder = z.infer<typeof holderSchema>;

export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  constructor(
    readonly lockPath: string,
    /** Who holds it, as written in the file; null when it could not be read. */
    readonly holder: LockHolder | null,
  ) {
    super(
      `${holder ? `process ${holder.pid} (${holder.command})` : "another process"} is already using the data directory (${lockPath} is locked)`,
    );
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Give the lock up (closing the file releases it). Idempotent. */
  release(): void;
}

export interface LockOptions {
  /** The command taking the lock, written into the file ("camsync run"). */
  command: string;
  /**
   * Keep trying for up to this long while `waitFor(holder)` says the holder will soon let go (a CLI tag
   * writing for a few milliseconds); 0 (default) fails at once.
   */
  waitMs?: number;
  waitFor?: (holder: LockHolder | null) => boolean;
}

function readHolder(path: string): LockHolder | null {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // empty (the holder has not written yet) or not ours
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tryLock(path: string, command: string): DataDirLock | "busy" {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o640);
  try {
    flockSync(fd, "exnb");
  } catch (err) {
    closeSync(fd);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EAGAIN" || code === "EWOULDBLOCK") return "busy";
    throw err;
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${JSON.stringify({ pid: process.pid, command })}\n`, 0);
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      closeSync(fd);
    },
  };
}

/** Take the data directory's lock (creating the directory if needed), or throw DataDirLockedError. */
export async function lockDataDir(dataDir: string, opts: LockOptions): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  const path = resolve(join(dataDir, DATA_DIR_LOCK_FILE));
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    const lock = tryLock(path, opts.command);
    if (lock !== "busy") return lock;
    // The holder writes its pid right after locking: give it a moment before naming nobody.
    let holder = readHolder(path);
    for (let i = 0; holder === null && i < 5; i++) {
      await sleep(20);
      holder = readHolder(path);
    }
    if (Date.now() >= deadline || !opts.waitFor?.(holder)) throw new DataDirLockedError(path, holder);
    await sleep(50);
  }
}

/** Whether a holder is a daemon (`camsync run` / `camsync demo`), as opposed to a short CLI write. */
export const isDaemonHolder = (h: LockHolder | null): boolean =>
  h !== null && /^camsync (run|demo)\b/.test(h.command);
