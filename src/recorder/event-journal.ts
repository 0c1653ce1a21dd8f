import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/**
 * `{dataDir}/events/{eventId}/journal.jsonl`: everything the recorder learns about an open event, appended
 * as it happens (decisions, claimed segments, camera faults, signals, GPS fixes, body-cam confirmations).
 * A restarted daemon rebuilds the event from it, and the manifest is built from it. A torn last line
 * (power cut) is ignored.
 */

export const JOURNAL_FILE = "journal.jsonl";

const origin = z.object({ kind: z.string(), id: z.string() });

const entrySchema = z.discriminatedUnion("t", [
  z.object({
    t: z.literal("open"),
    at: z.number(),
    eventId: z.string(),
    origin,
    triggerAt: z.number(),
    preEventSeconds: z.number(),
    preEventAudio: z.boolean(),
    segmentSeconds: z.number(),
    vehicle: z.object({ id: z.string(), name: z.string().optional(), agency: z.string().optional() }),
    officer: z.string().nullable(),
    cameras: z.array(z.string()),
    /** How the event came to be: an activation, or promoted from the ring by `camsync event create`. */
    source: z.enum(["activation", "after-the-fact"]).default("activation"),
  }),
  z.object({
    t: z.literal("decision"),
    at: z.number(),
    type: z.string(),
    reason: z.string(),
    seq: z.number().optional(),
    origin: origin.nullable().optional(),
    postRollSeconds: z.number().optional(),
    part: z.number().optional(),
  }),
  z.object({
    t: z.literal("segment"),
    camera: z.string(),
    file: z.string(),
    startedAt: z.number(),
    durationMs: z.number(),
    part: z.number(),
    preEvent: z.boolean(),
  }),
  z.object({ t: z.literal("muted"), camera: z.string(), file: z.string() }),
  z.object({ t: z.literal("fault"), camera: z.string(), at: z.number(), cause: z.string() }),
  z.object({ t: z.literal("daemon-start"), at: z.number() }),
  z.object({ t: z.literal("end"), at: z.number(), interrupted: z.string().optional() }),
  z.object({
    t: z.literal("signal"),
    at: z.number(),
    name: z.string(),
    value: z.union([z.number(), z.string(), z.null()]),
  }),
  z.object({
    t: z.literal("gps"),
    at: z.number(),
    lat: z.number(),
    lon: z.number(),
    speedKmh: z.number().nullable(),
  }),
  z.object({
    t: z.literal("bodycam"),
    bodycamId: z.string(),
    commandedAt: z.number(),
    confirmedAt: z.number().nullable(),
    latencyMs: z.number().nullable(),
  }),
]);

export type JournalEntry = z.infer<typeof entrySchema>;
export type OpenEntry = Extract<JournalEntry, { t: "open" }>;

export function readJournal(eventDir: string): { entries: JournalEntry[]; skipped: number } {
  let text: string;
  try {
    text = readFileSync(join(eventDir, JOURNAL_FILE), "utf8");
  } catch {
    return { entries: [], skipped: 0 };
  }
  const entries: JournalEntry[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      skipped += 1;
      continue;
    }
    const parsed = entrySchema.safeParse(raw);
    if (parsed.success) entries.push(parsed.data);
    else skipped += 1;
  }
  return { entries, skipped };
}

/**
 * Appends entries. Every entry except signals and GPS fixes is written at once (a write to the page cache,
 * microseconds) and then fsynced in the background (coalesced, never blocking the event loop: the daemon
 * also has to answer triggers within milliseconds). Signals and GPS fixes are batched for `flushMs`.
 * `close()` writes and fsyncs synchronously.
 */
export class EventJournal {
  private queued: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private syncing = false;
  private syncAgain = false;

  constructor(
    readonly eventDir: string,
    private readonly flushMs = 1000,
  ) {}

  private get path(): string {
    return join(this.eventDir, JOURNAL_FILE);
  }

  append(entry: JournalEntry): void {
    this.queued.push(`${JSON.stringify(entry)}\n`);
    if (entry.t === "signal" || entry.t === "gps") {
      this.timer ??= setTimeout(() => this.write(), this.flushMs);
      return;
    }
    this.write();
    this.syncInBackground();
  }

  /** The last write error (disk full …); lines stay queued and are retried with the next entry. */
  failure: Error | null = null;

  private write(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queued.length === 0) return;
    try {
      appendFileSync(this.path, this.queued.join(""), { mode: 0o640 });
      this.queued = [];
      this.failure = null;
    } catch (err) {
      this.failure = err as Error;
    }
  }

  private syncInBackground(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    open(this.path, "r")
      .then(async (fh) => {
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      })
      .catch(() => {
        // the event directory is gone or the disk failed: the next close() reports it
      })
      .finally(() => {
        this.syncing = false;
        if (this.syncAgain) {
          this.syncAgain = false;
          this.syncInBackground();
        }
      });
  }

  /** Write and fsync what is queued; throws when that is impossible. */
  close(): void {
    this.write();
    if (this.failure) throw this.failure;
    const fd = openSync(this.path, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
