import { linkSync, mkdirSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../core/logger.js";
import { tempPathFor } from "../storage/atomic-file.js";
import { EventJournal, type JournalEntry, type OpenEntry, readJournal } from "./event-journal.js";
import { belongsToEvent, cameraComplete, partFor, type Rollover } from "./event-window.js";
import { muteSegment } from "./ffmpeg-process.js";
import type { Segment } from "./segment.js";

/**
 * An open event: claims segments (hard links from the ring into `segments/{camera}/`), mutes pre-event
 * audio when policy asks, journals everything, and knows when it is complete and can be assembled.
 */

export const SEGMENTS_DIR = "segments";

export interface Claimed {
  file: string;
  startedAt: number;
  durationMs: number;
  part: number;
  preEvent: boolean;
  muted: boolean;
}

export interface OpenEventOptions {
  dir: string;
  open: OpenEntry;
  ffmpegPath: string;
  /** Cameras whose segments carry audio (others need no muting). */
  audioCameras: ReadonlySet<string>;
  log: Logger;
}

export class OpenEvent {
  readonly id: string;
  readonly journal: EventJournal;
  readonly claimed = new Map<string, Claimed[]>();
  readonly rollovers: Rollover[] = [];
  private readonly claimedFiles = new Set<string>();
  /** End of post-roll (epoch ms) once the event-end decision arrived. */
  endAt: number | null = null;
  /** Wall time by which cameras that have not delivered their last segment are given up on. */
  giveUpAt: number | null = null;
  private muting: Promise<void> = Promise.resolve();
  private pendingMutes = 0;

  constructor(private readonly o: OpenEventOptions) {
    this.id = o.open.eventId;
    this.journal = new EventJournal(o.dir);
    for (const cam of o.open.cameras) {
      this.claimed.set(cam, []);
      mkdirSync(join(o.dir, SEGMENTS_DIR, cam), { recursive: true, mode: 0o750 });
    }
  }

  get dir(): string {
    return this.o.dir;
  }

  get open(): OpenEntry {
    return this.o.open;
  }

  /** Start of the footage the event wants: trigger − pre-event. */
  get from(): number {
    return this.o.open.triggerAt - this.o.open.preEventSeconds * 1000;
  }

  /** Create the event directory and its journal. */
  static create(o: OpenEventOptions): OpenEvent {
    mkdirSync(o.dir, { recursive: true, mode: 0o750 });
    const ev = new OpenEvent(o);
    ev.journal.append(o.open);
    return ev;
  }

  /** Re-open an event from its journal (daemon restarted). Pre-event segments whose muting did not finish are redone. */
  static restore(o: OpenEventOptions, entries: readonly JournalEntry[]): OpenEvent {
    const ev = new OpenEvent(o);
    const muted = new Set(entries.flatMap((e) => (e.t === "muted" ? [`${e.camera}/${e.file}`] : [])));
    for (const e of entries) {
      if (e.t === "segment") {
        const list = ev.claimed.get(e.camera);
        const { file, startedAt, durationMs, part, preEvent } = e;
        const c: Claimed = {
          file,
          startedAt,
          durationMs,
          part,
          preEvent,
          muted: muted.has(`${e.camera}/${file}`),
        };
        if (list && !ev.claimedFiles.has(`${e.camera}/${e.file}`)) {
          list.push(c);
          ev.claimedFiles.add(`${e.camera}/${e.file}`);
        }
        if (ev.needsMute(e.camera, c)) ev.queueMute(e.camera, c);
      } else if (e.t === "decision") {
        if (e.type === "rollover" && e.part !== undefined) ev.rollovers.push({ part: e.part, at: e.at });
        if (e.type === "event-end") ev.endAt = e.at;
      }
    }
    for (const list of ev.claimed.values()) list.sort((a, b) => a.startedAt - b.startedAt);
    return ev;
  }

  static readOpenEntry(dir: string): { open: OpenEntry; entries: JournalEntry[] } | null {
    const { entries } = readJournal(dir);
    const open = entries.find((e): e is OpenEntry => e.t === "open");
    return open ? { open, entries } : null;
  }

  /** Claim a completed ring segment if it belongs to the event. Returns whether it was claimed now. */
  claim(seg: Segment, ringPath: string): boolean {
    const list = this.claimed.get(seg.camera);
    if (!list || !belongsToEvent(seg, this.from, this.endAt)) return false;
    if (this.claimedFiles.has(`${seg.camera}/${seg.file}`)) return false;
    const target = join(this.o.dir, SEGMENTS_DIR, seg.camera, seg.file);
    try {
      linkSync(ringPath, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        this.o.log.error({ err, file: seg.file }, `event ${this.id}: cannot claim segment`);
        return false;
      }
    }
    const c: Claimed = {
      file: seg.file,
      startedAt: seg.startedAt,
      durationMs: seg.durationMs,
      part: partFor(seg.startedAt, this.rollovers),
      // Pre-event: the segment lies mostly before the trigger (its middle is before it).
      preEvent: seg.startedAt + seg.durationMs / 2 < this.o.open.triggerAt,
      muted: false,
    };
    const last = list.at(-1);
    list.push(c);
    if (last && last.startedAt > c.startedAt) list.sort((a, b) => a.startedAt - b.startedAt);
    this.claimedFiles.add(`${seg.camera}/${seg.file}`);
    this.journal.append({ t: "segment", camera: seg.camera, ...c });
    if (this.needsMute(seg.camera, c)) this.queueMute(seg.camera, c);
    return true;
  }

  /** Every camera has footage up to the end, or the wait for it is over; muting is done. */
  complete(now: number): boolean {
    if (this.endAt === null || this.pendingMutes > 0) return false;
    if (this.giveUpAt !== null && now >= this.giveUpAt) return true;
    const endAt = this.endAt;
    return [...this.claimed.values()].every((list) => cameraComplete(list, endAt));
  }

  /** Resolves when queued muting has finished. */
  settled(): Promise<void> {
    return this.muting;
  }

  /** The last footage claimed (for an interrupted event's end). */
  lastFootage(): number | null {
    const ends = [...this.claimed.values()].flat().map((c) => c.startedAt + c.durationMs);
    return ends.length ? Math.max(...ends) : null;
  }

  private needsMute(camera: string, c: Claimed): boolean {
    // Footage promoted after the fact was all recorded without an activation: same audio policy.
    const beforeActivation = c.preEvent || this.o.open.source === "after-the-fact";
    return beforeActivation && !c.muted && !this.o.open.preEventAudio && this.o.audioCameras.has(camera);
  }

  private queueMute(camera: string, c: Claimed): void {
    this.pendingMutes += 1;
    this.muting = this.muting.then(async () => {
      const path = join(this.o.dir, SEGMENTS_DIR, camera, c.file);
      // A temp name nothing takes for footage (scanner, verify, offload, recovery), renamed atomically.
      const tmp = tempPathFor(path, "muting");
      try {
        await muteSegment(this.o.ffmpegPath, path, tmp);
        // Replace the directory entry only: the ring's link keeps the original until the ring drops it.
        renameSync(tmp, path);
        c.muted = true;
        this.journal.append({ t: "muted", camera, file: c.file });
      } catch (err) {
        this.o.log.error({ err, file: c.file }, `event ${this.id}: muting pre-event audio failed`);
        try {
          unlinkSync(tmp);
        } catch {
          // nothing to clean
        }
      } finally {
        this.pendingMutes -= 1;
      }
    });
  }
}
