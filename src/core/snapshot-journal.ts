import { closeSync, fdatasync, openSync, readFileSync, writeSync } from "node:fs";
import { writeFileAtomicSync } from "../storage/atomic-file.js";

/** Appends before the file is rewritten with only its latest snapshot (atomic temp + rename). */
const DEFAULT_COMPACT_AFTER = 512;

/**
 * A state file kept as an append-only journal of JSON snapshots, one per line; the last complete line
 * is the state. Saving costs one write(2) on a descriptor held open for appending, instead of a temp file,
 * a write and a rename per save: the activation engine persists on the trigger → body-cam path, and the
 * rename (ext4 flushes a file renamed over another) cost up to several ms at p99 there.
 *
 * A process killed at any moment leaves complete lines (the kernel finishes a write(2) to a regular
 * file); a power cut may leave a torn last line, which `readLatestSnapshot` skips, falling back to the
 * line before. `sync()` makes the saves durable (fdatasync) off the hot path. Every `compactAfter`
 * saves the file is replaced atomically by its latest line, so it never grows without bound.
 */
export class SnapshotJournal {
  private fd = -1;
  private appends = 0;
  private latest: string | null = null;

  constructor(
    readonly path: string,
    private readonly opts: { compactAfter?: number; mode?: number } = {},
  ) {}

  /** Append one snapshot (one write(2)). Throws when the file cannot be opened or written. */
  save(snapshot: unknown): void {
    const line = `${JSON.stringify(snapshot)}\n`;
    if (this.fd < 0) this.fd = openSync(this.path, "a", this.opts.mode ?? 0o640);
    writeSync(this.fd, line);
    this.latest = line;
    if (++this.appends >= (this.opts.compactAfter ?? DEFAULT_COMPACT_AFTER)) this.compact();
  }

  /** fdatasync the journal (after a save, off the latency-critical path). */
  sync(): Promise<void> {
    const fd = this.fd;
    if (fd < 0) return Promise.resolve();
    return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /** Replace the journal by its latest snapshot (durable: temp file, fsync, rename), then append to it. */
  private compact(): void {
    if (this.latest === null) return;
    this.close();
    writeFileAtomicSync(this.path, this.latest);
    this.appends = 0;
  }
}

/**
 * The latest snapshot in a journal written by SnapshotJournal: the last line that parses as a JSON object.
 * A file that is one JSON document (the older pretty-printed state file) is read as such.
 * Returns undefined for an empty file; throws (with the reason) when nothing in it parses.
 */
export function readLatestSnapshot(path: string): unknown {
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim();
    if (!line) continue;
    if (!line.startsWith("{")) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null) return value;
    } catch {
      // A torn last line (power cut mid-write), or a line of a pretty-printed document: try further up.
    }
  }
  if (text.trim() === "") return undefined;
  return JSON.parse(text);
}
