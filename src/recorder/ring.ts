import { segmentEnd } from "./segment.js";

/**
 * Ring retention: which completed segments to delete. Pure (table-tested).
 *
 * - A segment older than `keepMs` goes (keepMs = preEvent + margin, or keepHours when record-after-the-fact
 *   is on).
 * - While free space is below the reserve, more goes, oldest first, but never the pre-event window
 *   (`windowMs`) and never a segment an open event still needs.
 * - Only ring files are ever considered: event footage lives in the event directories (hard links), so
 *   deleting a ring entry that is also linked into an event frees nothing and destroys nothing.
 */

export interface RingEntry {
  /** Unique key, e.g. `front/20261126T142233123-000004.ts`. */
  key: string;
  startedAt: number;
  durationMs: number;
  bytes: number;
  /** Also hard-linked into an event: deleting the ring entry frees no space. */
  linked: boolean;
  /** An open event still has to claim it. */
  needed: boolean;
}

export interface RingInput {
  entries: RingEntry[];
  now: number;
  keepMs: number;
  windowMs: number;
  freeBytes: number;
  reserveBytes: number;
}

export type StoragePressure = "none" | "trimmed" | "short";

export interface RingPlan {
  delete: string[];
  /** `trimmed`: footage beyond the pre-event window was deleted early for space; `short`: still below the reserve. */
  pressure: StoragePressure;
  /** Bytes the plan frees. */
  freedBytes: number;
  /** Below the reserve after the plan (0 when none). */
  shortBytes: number;
}

export function planRing(input: RingInput): RingPlan {
  const sorted = [...input.entries].sort((a, b) => a.startedAt - b.startedAt || a.key.localeCompare(b.key));
  const del = new Set<string>();
  let freed = 0;
  for (const e of sorted) {
    if (!e.needed && segmentEnd(e) < input.now - input.keepMs) {
      del.add(e.key);
      if (!e.linked) freed += e.bytes;
    }
  }
  let trimmed = false;
  if (input.freeBytes + freed < input.reserveBytes) {
    for (const e of sorted) {
      if (input.freeBytes + freed >= input.reserveBytes) break;
      if (del.has(e.key) || e.needed || e.linked) continue;
      if (segmentEnd(e) >= input.now - input.windowMs) break;
      del.add(e.key);
      freed += e.bytes;
      trimmed = true;
    }
  }
  const short = Math.max(0, input.reserveBytes - (input.freeBytes + freed));
  return {
    delete: sorted.filter((e) => del.has(e.key)).map((e) => e.key),
    pressure: short > 0 ? "short" : trimmed ? "trimmed" : "none",
    freedBytes: freed,
    shortBytes: short,
  };
}

/** How long the ring keeps footage: the pre-event window plus margin, or keepHours when longer. */
export function ringKeepMs(preEventSeconds: number, marginSeconds: number, keepHours: number): number {
  return Math.max((preEventSeconds + marginSeconds) * 1000, keepHours * 3_600_000);
}

/** The free-space reserve: `reserveMinutes` at the measured bitrate of all cameras, at least `minFreeBytes`. */
export function reserveBytes(bitsPerSecond: number, reserveMinutes: number, minFreeBytes: number): number {
  return Math.max(minFreeBytes, Math.ceil((bitsPerSecond / 8) * reserveMinutes * 60));
}

/** Bitrate (bits/s) measured over recent segments; null without enough data. */
export function measuredBitrate(segments: { bytes: number; durationMs: number }[]): number | null {
  let bytes = 0;
  let ms = 0;
  for (const s of segments) {
    bytes += s.bytes;
    ms += s.durationMs;
  }
  return ms >= 1000 ? (bytes * 8 * 1000) / ms : null;
}
