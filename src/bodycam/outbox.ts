import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import type { Logger } from "../core/logger.js";
import { writeFileAtomicSync } from "../storage/atomic-file.js";

/**
 * The durable outbox: every activation and alert the daemon must deliver is appended here before it
 * is handed to the broker, and stays until the broker acknowledged it (PUBACK). After a broker outage
 * or a daemon restart the pending entries are replayed in order.
 *
 * File format: JSON lines, append-only. `{"put":{id,topic,payload,retain}}` adds an entry, `{"ack":id}`
 * removes one. The write(2) is synchronous (an entry survives the daemon being killed right after);
 * fdatasync runs off the event loop, queued after the publish, so the disk never delays recording or the
 * publish itself. When enough acks accumulate the file is compacted atomically to the pending entries.
 */
export interface OutboxEntry {
  id: number;
  topic: string;
  /** The JSON payload text. */
  payload: string;
  retain: boolean;
}

const lineSchema = z.union([
  z.object({
    put: z.object({
      id: z.number().int().min(1),
      topic: z.string().min(1),
      payload: z.string(),
      retain: z.boolean(),
    }),
  }),
  z.object({ ack: z.number().int().min(1) }),
  z.object({ next: z.number().int().min(1) }),
]);

export interface OutboxOptions {
  /** Compact when this many acks are in the file. */
  compactAfterAcks?: number;
  /** Called when a background fdatasync or an ack write fails (disk error); nothing is lost in memory. */
  onSyncError?: (err: Error) => void;
}

export class Outbox {
  private readonly entries = new Map<number, OutboxEntry>();
  private nextId = 1;
  private fd: number;
  private acksInFile = 0;
  private syncing = false;
  private syncAgain = false;
  private syncQueued = false;
  /** Lines that could not be read (torn last write after a power cut, corruption). */
  readonly skippedLines: number;
  /** Why the outbox file could not be opened, if it could not. */
  readonly openError: Error | null = null;

  constructor(
    private readonly path: string,
    private readonly opts: OutboxOptions = {},
  ) {
    this.fd = -1;
    let skipped = 0;
    try {
      mkdirSync(dirname(path), { recursive: true });
      skipped = existsSync(path) ? this.load(readFileSync(path, "utf8")) : 0;
      this.rewrite();
    } catch (err) {
      // Unusable (disk full, read-only, permissions): every put() throws and the owner sends undurably.
      this.openError = err instanceof Error ? err : new Error(String(err));
    }
    this.skippedLines = skipped;
  }

  private load(text: string): number {
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let parsed: z.output<typeof lineSchema>;
      try {
        parsed = lineSchema.parse(JSON.parse(line));
      } catch {
        skipped++;
        continue;
      }
      if ("put" in parsed) {
        this.entries.set(parsed.put.id, parsed.put);
        this.nextId = Math.max(this.nextId, parsed.put.id + 1);
      } else if ("ack" in parsed) this.entries.delete(parsed.ack);
      else this.nextId = Math.max(this.nextId, parsed.next);
    }
    return skipped;
  }

  /** Replace the file with its pending entries (atomic), then reopen it for appending. */
  private rewrite(): void {
    if (this.fd >= 0) closeSync(this.fd);
    const lines = [JSON.stringify({ next: this.nextId })];
    for (const e of this.pending()) lines.push(JSON.stringify({ put: e }));
    writeFileAtomicSync(this.path, `${lines.join("\n")}\n`);
    this.fd = openSync(this.path, "a", 0o640);
    this.acksInFile = 0;
  }

  private append(line: string): void {
    writeSync(this.fd, `${line}\n`);
  }

  /**
   * The fdatasync is queued on the next turn of the event loop, not here: handing it to the thread pool
   * wakes a thread that competes for this 2-core machine's CPUs, ~0.1 ms measured between the append and the
   * publish that follows it (docs/performance.md). The entry already survives a daemon crash (its write(2)
   * has returned); only a power cut in the next few microseconds could lose it, as it could a moment later
   * while the sync runs.
   */
  private syncAfterThisTurn(): void {
    if (this.syncQueued) return;
    this.syncQueued = true;
    setImmediate(() => {
      this.syncQueued = false;
      if (this.fd >= 0) this.syncSoon();
    });
  }

  private syncSoon(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    const fd = this.fd;
    fdatasync(fd, (err) => {
      this.syncing = false;
      if (err && fd === this.fd) this.opts.onSyncError?.(err);
      if (this.syncAgain && this.fd >= 0) {
        this.syncAgain = false;
        this.syncSoon();
      }
    });
  }

  /** Append an entry (durable against a daemon crash on return). */
  put(topic: string, payload: string, retain: boolean): OutboxEntry {
    const entry: OutboxEntry = { id: this.nextId++, topic, payload, retain };
    this.append(JSON.stringify({ put: entry }));
    this.entries.set(entry.id, entry);
    this.syncAfterThisTurn();
    return entry;
  }

  /** The broker acknowledged the entry. Unknown ids are ignored (a replay was acked twice). */
  ack(id: number): void {
    if (!this.entries.delete(id)) return;
    try {
      this.append(JSON.stringify({ ack: id }));
      this.acksInFile++;
      if (this.acksInFile >= (this.opts.compactAfterAcks ?? 256)) this.rewrite();
    } catch (err) {
      // A lost ack only means a harmless re-send after a restart.
      this.opts.onSyncError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  /** Pending entries, oldest first. */
  pending(): OutboxEntry[] {
    return [...this.entries.values()].sort((a, b) => a.id - b.id);
  }

  get size(): number {
    return this.entries.size;
  }

  close(): void {
    if (this.fd < 0) return;
    // A put whose fdatasync was still queued: sync it now (stop is not on the trigger path).
    if (this.syncQueued) {
      try {
        fdatasyncSync(this.fd);
      } catch (err) {
        this.opts.onSyncError?.(err instanceof Error ? err : new Error(String(err)));
      }
    }
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** The daemon's outbox at `path`, with what it found on opening logged (unreadable lines, entries to replay). */
export function openOutbox(path: string, log: Pick<Logger, "info" | "warn" | "error">): Outbox {
  const outbox = new Outbox(path, {
    onSyncError: (err) => log.error({ err: err.message }, "outbox fdatasync failed"),
  });
  if (outbox.skippedLines > 0) log.warn({ lines: outbox.skippedLines }, "outbox: unreadable lines skipped");
  if (outbox.size > 0) log.info({ pending: outbox.size }, "outbox: entries to replay");
  return outbox;
}
