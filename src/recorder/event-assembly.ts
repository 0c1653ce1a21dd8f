import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { EventManifest } from "../evidence/manifest.js";
import { MANIFEST_FILE } from "../evidence/manifest-file.js";
import { tempPathFor, writeJsonAtomicSync } from "../storage/atomic-file.js";
import { sha256File, sha256Hex } from "../storage/sha256.js";
import type { JournalEntry, OpenEntry } from "./event-journal.js";
import { type AssembledFile, buildManifest, type HashedSegment } from "./event-manifest.js";
import { JOIN_TOLERANCE_MS } from "./event-window.js";
import { concatStreamsToMp4, probeDuration } from "./ffmpeg-process.js";
import { type Claimed, OpenEvent, SEGMENTS_DIR } from "./open-event.js";
import { runOfFile } from "./segment.js";
import { telemetryCues, telemetryFromJournal, toSrt } from "./telemetry-track.js";

/**
 * Assembling a complete event: per camera and part, the claimed segments are joined by stream copy into
 * `{camera}.mp4` (`{camera}-part{N}.mp4` after a rollover): segments sharing a timeline are streamed
 * byte-wise (hashed on the way) as one input of the concat demuxer (`-c copy`, faststart), through pipes;
 * every segment and file is hashed; `manifest.json` is written atomically last, so an event directory
 * without a manifest is one whose assembly has not finished.
 */

export interface AssembleOptions {
  dir: string;
  open: OpenEntry;
  entries: readonly JournalEntry[];
  claimed: ReadonlyMap<string, readonly Claimed[]>;
  endAt: number;
  interrupted?: string;
  ffmpegPath: string;
  ffprobePath: string;
  version: string;
}

export interface Assembled {
  manifest: EventManifest;
  manifestSha256: string;
  files: AssembledFile[];
}

export const partFileName = (camera: string, part: number) =>
  part === 1 ? `${camera}.mp4` : `${camera}-part${part}.mp4`;

/**
 * Split a part's segments into runs that share one media timeline: consecutive segments of the same
 * ffmpeg run, without a hole, not re-muxed (a muted segment has a timeline of its own). A run is joined
 * byte-wise (MPEG-TS concatenates), so the concat demuxer opens a handful of files, not thousands.
 */
export function timelineRuns<T extends Claimed>(segs: readonly T[]): T[][] {
  const groups: T[][] = [];
  let prev: T | undefined;
  for (const c of segs) {
    const current = groups.at(-1);
    const continues =
      current &&
      prev &&
      !c.muted &&
      !prev.muted &&
      runOfFile(c.file) === runOfFile(prev.file) &&
      c.startedAt <= prev.startedAt + prev.durationMs + JOIN_TOLERANCE_MS;
    if (continues) current.push(c);
    else groups.push([c]);
    prev = c;
  }
  return groups;
}

/**
 * One MP4 from a part's segments, streamed: each timeline run is read segment by segment (hashed on the
 * way) straight into ffmpeg's concat demuxer through a pipe. Only the MP4 is written (under a temp name,
 * renamed when complete), so assembly needs about one event's size free, not two.
 */
async function assemblePart(
  o: AssembleOptions,
  camera: string,
  part: number,
  segs: readonly Claimed[],
  hashes: Map<string, { sha256: string; bytes: number }>,
): Promise<AssembledFile> {
  const segDir = join(o.dir, SEGMENTS_DIR, camera);
  const name = partFileName(camera, part);
  const tmp = tempPathFor(join(o.dir, name), "assembling");
  const runs = timelineRuns(segs);
  let subtitles: string | undefined;
  try {
    subtitles = writeTelemetry(join(o.dir, name), o, segs);
    await concatStreamsToMp4(
      o.ffmpegPath,
      runs.length,
      tmp,
      async (i, write) => {
        for (const c of runs[i] ?? []) {
          const buf = await readFile(join(segDir, c.file));
          hashes.set(c.file, { sha256: sha256Hex(buf), bytes: buf.length });
          await write(buf);
        }
      },
      subtitles,
    );
    renameSync(tmp, join(o.dir, name));
  } finally {
    rmSync(tmp, { force: true });
    if (subtitles) rmSync(subtitles, { force: true });
  }
  const { sha256, bytes } = await sha256File(join(o.dir, name));
  const durationSeconds = await probeDuration(o.ffprobePath, join(o.dir, name));
  return { camera, file: name, part, sha256, bytes, durationSeconds };
}

/**
 * The 1 Hz telemetry track of the file `output` as SubRip, written beside it under a temp name (which
 * verify, offload and recovery ignore); undefined when the file covers no whole second.
 */
function writeTelemetry(output: string, o: AssembleOptions, segs: readonly Claimed[]): string | undefined {
  const cues = telemetryCues(
    telemetryFromJournal(o.entries, o.open.officer),
    segs.map((c) => ({ startMs: c.startedAt, durationMs: c.durationMs })),
  );
  if (cues.length === 0) return undefined;
  const file = tempPathFor(output, "telemetry");
  writeFileSync(file, toSrt(cues));
  return file;
}

async function assembleCamera(o: AssembleOptions, camera: string, claimed: readonly Claimed[]) {
  const segDir = join(o.dir, SEGMENTS_DIR, camera);
  const present = claimed
    .filter((c) => existsSync(join(segDir, c.file)))
    .sort((a, b) => a.startedAt - b.startedAt);
  const hashes = new Map<string, { sha256: string; bytes: number }>();
  const files: AssembledFile[] = [];
  const parts = [...new Set(present.map((c) => c.part))].sort((a, b) => a - b);
  for (const part of parts) {
    files.push(
      await assemblePart(
        o,
        camera,
        part,
        present.filter((c) => c.part === part),
        hashes,
      ),
    );
  }
  const segments: HashedSegment[] = present.map((c) => {
    const h = hashes.get(c.file);
    if (!h) throw new Error(`segment ${c.file} was not hashed`);
    return { ...c, camera, file: `${SEGMENTS_DIR}/${camera}/${c.file}`, ...h };
  });
  return { segments, files };
}

export async function assembleEvent(o: AssembleOptions): Promise<Assembled> {
  const segments: HashedSegment[] = [];
  const files: AssembledFile[] = [];
  for (const camera of o.open.cameras) {
    const r = await assembleCamera(o, camera, o.claimed.get(camera) ?? []);
    segments.push(...r.segments);
    files.push(...r.files);
  }
  const manifest = buildManifest({
    open: o.open,
    entries: o.entries,
    segments,
    files,
    endAt: o.endAt,
    interrupted: o.interrupted,
    version: o.version,
  });
  const path = join(o.dir, MANIFEST_FILE);
  writeJsonAtomicSync(path, manifest);
  return { manifest, manifestSha256: sha256Hex(`${JSON.stringify(manifest, null, 2)}\n`), files };
}

export interface FinishOptions {
  endAt: number;
  interrupted?: string;
  ffmpegPath: string;
  ffprobePath: string;
  version: string;
}

/**
 * Finish an event: its end is journaled at once (a crash from here on re-assembles it with the same end),
 * queued muting settles, the journal is closed and the event assembled from what the journal says.
 */
export async function assembleOpenEvent(ev: OpenEvent, o: FinishOptions): Promise<Assembled> {
  ev.journal.append({ t: "end", at: o.endAt, interrupted: o.interrupted });
  await ev.settled();
  ev.journal.close();
  return assembleEvent({
    ...o,
    dir: ev.dir,
    open: ev.open,
    entries: OpenEvent.readOpenEntry(ev.dir)?.entries ?? [],
    claimed: ev.claimed,
  });
}
