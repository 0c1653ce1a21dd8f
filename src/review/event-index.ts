import { readFileSync, statSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../core/logger.js";
import { MANIFEST_FILE } from "../evidence/manifest-file.js";
import { type OpenEntry, readJournal } from "../recorder/event-journal.js";
import { facetsOf, type ListPage, type ListQuery, listEvents } from "./event-query.js";
import {
  fromJournal,
  fromManifest,
  type ReviewEvent,
  type ReviewSummary,
  reviewManifestSchema,
  summarize,
} from "./event-record.js";

interface Indexed {
  summary: ReviewSummary;
  /** mtime of the manifest (finalized) or the journal it was read from. */
  sourceMtimeMs: number;
  finalized: boolean;
  /** When it was read (ms, the caller's clock). */
  readAt: number;
}

/**
 * Every event on disk, in memory: read once at start (manifests, or journals of events still recording)
 * and kept current by `refresh(id)` (the status page calls it on the bus's decisions, `event-finalized`
 * and after its own tags) and by `tick()`, a background pass that lists the events directory (new and
 * deleted events) and re-checks a slice of the known events each time (manifests amended by offload or the
 * CLI: re-read when their mtime changed), so a pass never holds the event loop long enough to delay a
 * request. A list request never touches the disk.
 *
 * Only the list rows stay in memory for every event (a 60-minute event's segments, GPS track and signals
 * are thousands of entries; 5,000 of them would not fit a car computer's memory): the full record of an
 * event is read when asked for and the last few are kept (`DETAILS_KEPT`).
 */
const DETAILS_KEPT = 8;

export class EventIndex {
  private readonly byId = new Map<string, Indexed>();
  /** Full records of recently asked-for events, least recently used first. */
  private readonly details = new Map<string, ReviewEvent>();
  private sorted: ReviewSummary[] | null = [];
  private facets: Pick<ListPage, "triggers" | "categories"> = { triggers: [], categories: [] };
  private loaded = false;

  constructor(
    private readonly eventsDir: string,
    private readonly log: Logger,
  ) {}

  get ready(): boolean {
    return this.loaded;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Read every event directory (asynchronously, a few at a time). */
  async load(): Promise<void> {
    await this.sweep();
    this.loaded = true;
  }

  private cursor = 0;
  private listed: string[] | null = null;
  private listedMtime = 0;

  /**
   * One background step: list the events directory if it changed (new events are read, removed ones
   * dropped), then re-check up to `slice` known events (round robin) and every event still recording.
   */
  async tick(slice = 100): Promise<void> {
    // the directory is listed again only when it changed (an event created or deleted)
    let dirMtime = 0;
    try {
      dirMtime = (await stat(this.eventsDir)).mtimeMs;
    } catch {
      // no events directory yet
    }
    if (dirMtime !== this.listedMtime || this.listed === null) {
      this.listed = await this.names();
      this.listedMtime = dirMtime;
    }
    const names = this.listed;
    const present = new Set(names);
    for (const id of [...this.byId.keys()]) if (!present.has(id)) this.forget(id);
    const fresh = names.filter((id) => !this.byId.has(id));
    if (this.cursor >= names.length) this.cursor = 0;
    const due = names.slice(this.cursor, this.cursor + slice);
    this.cursor += slice;
    const open = [...this.byId.entries()].filter(([, e]) => !e.finalized).map(([id]) => id);
    for (const id of new Set([...fresh, ...due, ...open])) await this.readIfChanged(id);
  }

  private async names(): Promise<string[]> {
    try {
      return (await readdir(this.eventsDir, { withFileTypes: true }))
        .filter((d) => d.isDirectory() && !d.name.startsWith("."))
        .map((d) => d.name);
    } catch {
      return [];
    }
  }

  /** Re-read what changed on disk: new and removed directories, manifests or journals with a new mtime. */
  async sweep(): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(this.eventsDir, { withFileTypes: true }))
        .filter((d) => d.isDirectory() && !d.name.startsWith("."))
        .map((d) => d.name);
    } catch {
      names = [];
    }
    const present = new Set(names);
    for (const id of [...this.byId.keys()]) if (!present.has(id)) this.forget(id);
    const BATCH = 32;
    for (let i = 0; i < names.length; i += BATCH) {
      await Promise.all(names.slice(i, i + BATCH).map((id) => this.readIfChanged(id)));
    }
  }

  /**
   * Re-read an event that is not finalized when its record is older than `maxAgeMs` (a player of an event
   * still recording asks for its playlist every second or two, and for every segment: the journal is read
   * at most once per `maxAgeMs`, not per request).
   */
  refreshIfStale(id: string, maxAgeMs: number, now: number): void {
    const known = this.byId.get(id);
    if (known?.finalized || (known && now - known.readAt < maxAgeMs)) return;
    this.refresh(id, now);
  }

  /** Re-read one event now (synchronous: the answer that follows sees it). */
  refresh(id: string, now = Date.now()): void {
    const dir = join(this.eventsDir, id);
    try {
      statSync(dir);
    } catch {
      this.forget(id);
      return;
    }
    this.store(id, this.readSync(dir), now, true);
  }

  /** The full record (read from disk unless recently asked for). */
  get(id: string): ReviewEvent | null {
    if (!this.byId.has(id)) return null;
    const kept = this.details.get(id);
    if (kept) {
      this.details.delete(id);
      this.details.set(id, kept);
      return kept;
    }
    this.refresh(id);
    return this.details.get(id) ?? null;
  }

  list(q: ListQuery): ListPage {
    if (this.sorted === null) {
      this.sorted = [...this.byId.values()].map((e) => e.summary).sort((a, b) => b.startMs - a.startMs);
      this.facets = facetsOf(this.sorted);
    }
    return listEvents(this.sorted, q, this.facets);
  }

  private forget(id: string): void {
    this.details.delete(id);
    if (this.byId.delete(id)) this.sorted = null;
  }

  private store(
    id: string,
    read: { event: ReviewEvent; mtimeMs: number; finalized: boolean } | null,
    now = Date.now(),
    keep = false,
  ): void {
    if (!read) {
      this.forget(id);
      return;
    }
    // a full record is kept only if it is being looked at (or was just re-read on request)
    this.details.delete(id);
    if (keep) {
      this.details.set(id, read.event);
      for (const old of this.details.keys()) {
        if (this.details.size <= DETAILS_KEPT) break;
        this.details.delete(old);
      }
    }
    this.byId.set(id, {
      summary: summarize(read.event),
      sourceMtimeMs: read.mtimeMs,
      finalized: read.finalized,
      readAt: now,
    });
    this.sorted = null;
  }

  private async readIfChanged(id: string): Promise<void> {
    const dir = join(this.eventsDir, id);
    const known = this.byId.get(id);
    const manifest = join(dir, MANIFEST_FILE);
    try {
      const st = await stat(manifest);
      if (known?.finalized && known.sourceMtimeMs === st.mtimeMs) return;
      const text = await readFile(manifest, "utf8");
      this.store(id, this.parseManifest(id, text, st.mtimeMs));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        this.log.warn({ err, eventId: id }, "review: manifest unreadable");
        return;
      }
    }
    // No manifest: recording or assembling; the journal changes often, so it is re-read every sweep.
    this.store(id, this.readJournal(dir));
  }

  private readSync(dir: string): { event: ReviewEvent; mtimeMs: number; finalized: boolean } | null {
    const manifest = join(dir, MANIFEST_FILE);
    try {
      const st = statSync(manifest);
      return this.parseManifest(dir, readFileSync(manifest, "utf8"), st.mtimeMs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") return null;
    }
    return this.readJournal(dir);
  }

  private parseManifest(
    where: string,
    text: string,
    mtimeMs: number,
  ): { event: ReviewEvent; mtimeMs: number; finalized: boolean } | null {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.log.warn({ event: where }, "review: manifest is not JSON; event left out of the list");
      return null;
    }
    const parsed = reviewManifestSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(
        { event: where, problem: parsed.error.issues[0]?.message },
        "review: manifest not understood",
      );
      return null;
    }
    return { event: fromManifest(parsed.data), mtimeMs, finalized: true };
  }

  private readJournal(dir: string): { event: ReviewEvent; mtimeMs: number; finalized: boolean } | null {
    const { entries } = readJournal(dir);
    const open = entries.find((e): e is OpenEntry => e.t === "open");
    if (!open) return null;
    return { event: fromJournal(open, entries), mtimeMs: 0, finalized: false };
  }
}
