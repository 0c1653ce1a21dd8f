/**
 * A completed ring segment and how its wall-clock time is known.
 *
 * ffmpeg's CSV segment list gives each segment's start and end on the run's media timeline (seconds).
 * The wall-clock anchor of a run is the smallest `mtime − end` seen over its segments (the file is
 * closed right after its last packet), so every segment of a run shares one consistent timeline;
 * mtimes survive a daemon restart, so a restarted daemon dates the previous run's segments the same way.
 */

export interface Segment {
  camera: string;
  /** The capture run (ffmpeg invocation) that wrote it. */
  run: string;
  /** File name in the ring directory. */
  file: string;
  /** Wall-clock start, epoch ms. */
  startedAt: number;
  durationMs: number;
  bytes: number;
}

/** The capture run a segment file belongs to (`{run}-{n}.ts`, possibly under a directory). */
export function runOfFile(file: string): string {
  const base = file.slice(file.lastIndexOf("/") + 1);
  return base.slice(0, base.lastIndexOf("-"));
}

export const segmentEnd = (s: Pick<Segment, "startedAt" | "durationMs">) => s.startedAt + s.durationMs;

export interface SegmentListEntry {
  file: string;
  /** Seconds on the run's media timeline. */
  start: number;
  end: number;
}

/**
 * Parse complete lines of a CSV segment list; a trailing line without newline is returned as `rest`
 * (ffmpeg may be writing it). Malformed lines are skipped and counted.
 */
export function parseSegmentList(text: string): {
  entries: SegmentListEntry[];
  rest: string;
  malformed: number;
} {
  const lines = text.split("\n");
  const rest = lines.pop() ?? "";
  const entries: SegmentListEntry[] = [];
  let malformed = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^"?([^",]+)"?,(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(line);
    const start = Number(m?.[2]);
    const end = Number(m?.[3]);
    if (!m?.[1] || !Number.isFinite(start) || !Number.isFinite(end) || end < start) {
      malformed += 1;
      continue;
    }
    entries.push({ file: m[1], start, end });
  }
  return { entries, rest, malformed };
}

/** Re-anchor a run when its media clock drifts this far behind the wall clock (e.g. a camera's own clock). */
export const REANCHOR_DRIFT_MS = 2000;

/** The run's wall-clock anchor after seeing `entry` close at `mtimeMs`. */
export function nextAnchor(prev: number | null, entry: SegmentListEntry, mtimeMs: number): number {
  const offset = mtimeMs - entry.end * 1000;
  if (prev === null || offset < prev || offset - prev > REANCHOR_DRIFT_MS) return offset;
  return prev;
}

export function segmentFromEntry(
  camera: string,
  run: string,
  entry: SegmentListEntry,
  anchor: number,
  bytes: number,
): Segment {
  return {
    camera,
    run,
    file: entry.file,
    startedAt: Math.round(anchor + entry.start * 1000),
    durationMs: Math.round((entry.end - entry.start) * 1000),
    bytes,
  };
}
