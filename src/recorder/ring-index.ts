import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SEGMENT_PATTERN } from "./capture-args.js";
import { nextAnchor, parseSegmentList, type Segment, segmentFromEntry } from "./segment.js";

/**
 * The completed segments in a camera's ring directory, read from the runs' segment lists (files ffmpeg
 * did not list — a run killed mid-segment — are not completed segments). Used by a restarting daemon
 * and by `camsync event create`.
 */
export function readRingIndex(ringDir: string, camera: string): Segment[] {
  let names: string[];
  try {
    names = readdirSync(ringDir);
  } catch {
    return [];
  }
  const out: Segment[] = [];
  for (const list of names.filter((f) => f.endsWith(".csv")).sort()) {
    const run = list.slice(0, -4);
    let text: string;
    try {
      text = readFileSync(join(ringDir, list), "utf8");
    } catch {
      continue;
    }
    const { entries } = parseSegmentList(text.endsWith("\n") ? text : `${text}\n`);
    const stats = entries.flatMap((entry) => {
      try {
        const st = statSync(join(ringDir, entry.file));
        // listed but empty (written on a full disk): no footage
        return st.size === 0 ? [] : [{ entry, mtimeMs: st.mtimeMs, size: st.size }];
      } catch {
        return []; // deleted by retention
      }
    });
    // The anchor is the minimum over the run: compute it before dating any segment.
    let anchor: number | null = null;
    for (const s of stats) anchor = nextAnchor(anchor, s.entry, s.mtimeMs);
    if (anchor === null) continue;
    for (const s of stats) out.push(segmentFromEntry(camera, run, s.entry, anchor, s.size));
  }
  return out.sort((a, b) => a.startedAt - b.startedAt);
}

/** Segment files in the ring that no list mentions (a run killed mid-segment), with their mtimes. */
export function strayFiles(
  ringDir: string,
  listed: ReadonlySet<string>,
): { file: string; mtimeMs: number }[] {
  const out: { file: string; mtimeMs: number }[] = [];
  for (const f of readdirSync(ringDir)) {
    if (!SEGMENT_PATTERN.test(f) || listed.has(f)) continue;
    try {
      out.push({ file: f, mtimeMs: statSync(join(ringDir, f)).mtimeMs });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
