import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";

/**
 * Files and directories named by an operator (command line, config): checked before use, so a wrong
 * path gets a clear error instead of a hang or a crash. A FIFO would block `open`/`read` until a writer
 * comes, `/dev/zero` never ends, `/dev/urandom` is endless binary, a directory is not a file and a file
 * is not a directory.
 */
export class InputPathError extends Error {
  override name = "InputPathError";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a stat says a path is, in words. */
export function kindOf(st: Stats): string {
  if (st.isFile()) return "a regular file";
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  if (st.isSymbolicLink()) return "a symbolic link";
  return "a special file";
}

function errnoText(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return `${path}: no such file or directory (ENOENT)`;
  if (code === "EACCES" || code === "EPERM") return `${path}: permission denied (${code})`;
  if (code === "ENOTDIR") return `${path}: a part of the path is not a directory`;
  if (code === "ELOOP") return `${path}: too many symbolic links`;
  return `${path}: ${(err as Error).message}`;
}

export interface ReadInputOptions {
  /** What the file is for, in the messages ("config file", "DBC file", "CA certificate"). */
  what: string;
  /** Larger files are refused (and never read whole). */
  maxBytes: number;
  /** Text expected: a NUL byte means a binary file, refused. */
  text?: boolean;
}

/**
 * Read a regular file of bounded size. Opened with O_NONBLOCK (a FIFO does not block the open) and
 * checked on the open descriptor (no window between the check and the read).
 */
export function readInputFileSync(path: string, opts: ReadInputOptions): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new InputPathError(path, `${opts.what} ${errnoText(path, err)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new InputPathError(path, `${opts.what} ${path}: ${kindOf(st)}, not a regular file`);
    }
    if (st.size > opts.maxBytes) {
      throw new InputPathError(
        path,
        `${opts.what} ${path}: too large (${st.size} bytes, at most ${opts.maxBytes})`,
      );
    }
    // Read at most one byte past the limit: a file growing meanwhile is still bounded. The buffer is sized
    // for the file, not for the limit: a 2 KB certificate kept for reconnects must not hold 1 MiB.
    const limit = opts.maxBytes + 1;
    let buf = Buffer.allocUnsafe(Math.min(st.size + 1, limit));
    let size = 0;
    for (;;) {
      if (size === buf.length) {
        // Grown since fstat, or a file that reports no size (/proc): a larger buffer, still bounded.
        const larger = Buffer.allocUnsafe(Math.min(buf.length * 2, limit));
        buf.copy(larger, 0, 0, size);
        buf = larger;
      }
      const n = readSync(fd, buf, size, buf.length - size, null);
      if (n === 0) break;
      size += n;
      if (size > opts.maxBytes) {
        throw new InputPathError(path, `${opts.what} ${path}: too large (more than ${opts.maxBytes} bytes)`);
      }
    }
    const data = buf.subarray(0, size);
    if (opts.text && data.includes(0)) {
      throw new InputPathError(path, `${opts.what} ${path}: a binary file, not text`);
    }
    return data;
  } finally {
    closeSync(fd);
  }
}

/** A PEM file (certificate, key): a small regular text file. */
export function readPem(path: string, what: string): Buffer {
  return readInputFileSync(path, { what, maxBytes: 1024 * 1024, text: true });
}

/** A problem with a file to be read later (null when it is a readable regular file). */
export function inputFileProblem(path: string, what: string): string | null {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    return `${what} ${errnoText(path, err)}`;
  }
  if (!st.isFile()) return `${what} ${path}: ${kindOf(st)}, not a regular file`;
  try {
    closeSync(openSync(path, constants.O_RDONLY | constants.O_NONBLOCK));
  } catch (err) {
    return `${what} ${errnoText(path, err)}`;
  }
  return null;
}

/** A problem with a path that must be an existing directory (null when it is one). */
export function inputDirProblem(path: string, what: string): string | null {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    return `${what} ${errnoText(path, err)}`;
  }
  return st.isDirectory() ? null : `${what} ${path}: ${kindOf(st)}, not a directory`;
}

/** Throw InputPathError unless `path` is a directory. */
export function requireDirectory(path: string, what: string): void {
  const problem = inputDirProblem(path, what);
  if (problem) throw new InputPathError(path, problem);
}
