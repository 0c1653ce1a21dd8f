import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

let tempCounter = 0;

/**
 * A temp file for `path` in the same directory (so a rename onto `path` is atomic): a dot-name ending in
 * `.tmp`, which `isTempFileName` recognises. Every in-progress file camsync writes is named this way, so
 * scanners, `verify`, offload and recovery never take it for evidence.
 */
export function tempPathFor(path: string, purpose = "write"): string {
  tempCounter = (tempCounter + 1) % 1_000_000;
  return join(
    dirname(path),
    `.${basename(path)}.${purpose}.${process.pid}.${Date.now().toString(36)}.${tempCounter}${TEMP_SUFFIX}`,
  );
}

const TEMP_SUFFIX = ".tmp";

/** An in-progress temp file (from `tempPathFor`): never evidence, never counted or uploaded, removed at recovery. */
export function isTempFileName(name: string): boolean {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return base.startsWith(".") && base.endsWith(TEMP_SUFFIX);
}

function fsyncDirSync(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

export interface AtomicWriteOptions {
  /**
   * true (default): fsync the file before the rename and the directory after it, so the new content
   * survives a power cut once this returns. false: the rename is still atomic and survives a killed
   * process (the page cache is the kernel's); call `syncFile` later to make it durable off the hot path.
   */
  durable?: boolean;
}

/** Write a file atomically: temp file in the same directory, fsync, rename, fsync the directory. */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): void {
  const durable = opts.durable ?? true;
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, "w", 0o640);
  try {
    if (typeof data === "string") writeSync(fd, data);
    else writeSync(fd, data);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (durable) fsyncDirSync(dirname(path));
}

/** fsync a file and its directory in the background (after a non-durable atomic write). */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  const dir = await open(dirname(path), "r").catch(() => undefined);
  if (dir) {
    await dir.sync().catch(() => {});
    await dir.close();
  }
}

export function writeJsonAtomicSync(path: string, value: unknown, opts: AtomicWriteOptions = {}): void {
  writeFileAtomicSync(path, `${JSON.stringify(value, null, 2)}\n`, opts);
}
