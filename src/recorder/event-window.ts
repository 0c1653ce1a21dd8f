import { runOfFile, type Segment, segmentEnd } from "./segment.js";

/**
 * Which segments belong to an event, which part of it, when a camera's share is complete, and where the
 * footage has holes. Pure (table-tested).
 *
 * An event covers [trigger − preEvent, end). A segment belongs to it when it ends after the start and
 * starts before the end, so the video begins between preEventSeconds and preEventSeconds + one segment
 * before the trigger, and ends at most one segment after the end of post-roll.
 */

/** Joins closer than this are continuous (run anchors differ by a few ms). */
export const JOIN_TOLERANCE_MS = 300;

export function belongsToEvent(
  seg: Pick<Segment, "startedAt" | "durationMs">,
  from: number,
  endAt: number | null,
) {
  return segmentEnd(seg) > from && (endAt === null || seg.startedAt < endAt);
}

export interface Rollover {
  part: number;
  at: number;
}

/** The part (1, 2, …) a segment starting at `startedAt` goes to. */
export function partFor(startedAt: number, rollovers: readonly Rollover[]): number {
  let part = 1;
  for (const r of rollovers) if (startedAt >= r.at && r.part > part) part = r.part;
  return part;
}

/** A camera's share is complete once a claimed segment reaches the event end. */
export function cameraComplete(
  segs: readonly Pick<Segment, "startedAt" | "durationMs">[],
  endAt: number,
): boolean {
  return segs.some((s) => segmentEnd(s) >= endAt - JOIN_TOLERANCE_MS);
}

export interface Fault {
  at: number;
  cause: string;
}

export interface Gap {
  from: number;
  to: number;
  cause: string;
}

function causeOf(
  from: number,
  to: number,
  faults: readonly Fault[],
  daemonStarts: readonly number[],
): string {
  const fault = [...faults].reverse().find((f) => f.at >= from - 5000 && f.at <= to);
  if (fault) return fault.cause;
  if (daemonStarts.some((t) => t >= from && t <= to + 60_000)) return "daemon not running";
  return "no footage from the camera";
}

/**
 * Holes in a camera's footage over [from, to]: before the first segment (less pre-event than requested),
 * between segments, after the last. Causes come from recorded faults and daemon restarts.
 */
export function findGaps(
  segs: readonly (Pick<Segment, "startedAt" | "durationMs"> & { file?: string })[],
  from: number,
  to: number,
  faults: readonly Fault[],
  daemonStarts: readonly number[] = [],
): Gap[] {
  const sorted = [...segs].sort((a, b) => a.startedAt - b.startedAt);
  const gaps: Gap[] = [];
  const add = (a: number, b: number) =>
    gaps.push({ from: a, to: b, cause: causeOf(a, b, faults, daemonStarts) });
  const first = sorted[0];
  if (!first) {
    if (to > from) add(from, to);
    return gaps;
  }
  if (first.startedAt > from + JOIN_TOLERANCE_MS) add(from, first.startedAt);
  let reach = segmentEnd(first);
  let prev = first;
  for (const s of sorted.slice(1)) {
    // A join between two ffmpeg runs is always a hole (the new process started after the old one died),
    // however short its measured length; within a run only a real jump in time is.
    const restarted =
      s.file !== undefined && prev.file !== undefined && runOfFile(s.file) !== runOfFile(prev.file);
    if (s.startedAt > reach + JOIN_TOLERANCE_MS || restarted) add(reach, Math.max(reach, s.startedAt));
    reach = Math.max(reach, segmentEnd(s));
    prev = s;
  }
  if (reach < to - JOIN_TOLERANCE_MS) add(reach, to);
  return gaps;
}

/** Seconds of footage before the trigger actually present (0 when the first segment starts after it). */
export function preEventCovered(segs: readonly Pick<Segment, "startedAt">[], triggerAt: number): number {
  const first = Math.min(...segs.map((s) => s.startedAt));
  return Number.isFinite(first) ? Math.max(0, (triggerAt - first) / 1000) : 0;
}
