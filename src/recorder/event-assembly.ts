import { existsSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EventManifest } from "../evidence/manifest.js";
import { MANIFEST_FILE } from "../evidence/manifest-file.js";
import { writeJsonAtomicSync } from "../storage/atomic-file.js";
import { sha256File, sha256Hex } from "../storage/sha256.js";
import type { JournalEntry, OpenEntry } from "./event-journal.js";
import { type AssembledFile, buildManifest, type HashedSegment } from "./event-manifest.js";
import { type Claimed, SEGMENTS_DIR } from "./event-recording.js";
import { concatToMp4, probeDuration } from "./ffmpeg-process.js";

/**
 * Assembling a complete event: per camera and part, the claimed segments are joined by stream copy
 * (concat demuxer, `-c copy`, faststart) into `{camera}.mp4` (`{camera}-part{N}.mp4` after a rollover);
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

function concatList(files: readonly string[]): string {
  return `ffconcat version 1.0\n${files.map((f) => `file '${f.replace(/'/g, "'\\''")}'`).join("\n")}\n`;
}

async function assembleCamera(o: AssembleOptions, camera: string, claimed: readonly Claimed[]) {
  const segDir = join(o.dir, SEGMENTS_DIR, camera);
  const present = claimed.filter((c) => existsSync(join(segDir, c.file)));
  const segments: HashedSegment[] = [];
  for (const c of present) {
    const { sha256, bytes } = await sha256File(join(segDir, c.file));
    segments.push({ ...c, camera, file: `${SEGMENTS_DIR}/${camera}/${c.file}`, sha256, bytes });
  }
  const files: AssembledFile[] = [];
  const parts = [...new Set(present.map((c) => c.part))].sort((a, b) => a - b);
  for (const part of parts) {
    const inPart = present.filter((c) => c.part === part).sort((a, b) => a.startedAt - b.startedAt);
    const listFile = join(segDir, `.concat-part${part}.txt`);
    writeFileSync(listFile, concatList(inPart.map((c) => c.file)));
    const name = partFileName(camera, part);
    const tmp = join(o.dir, `.${name}.assembling.mp4`);
    try {
      await concatToMp4(o.ffmpegPath, listFile, tmp);
      renameSync(tmp, join(o.dir, name));
    } finally {
      for (const f of [listFile, tmp]) {
        try {
          unlinkSync(f);
        } catch {
          // already gone
        }
      }
    }
    const { sha256, bytes } = await sha256File(join(o.dir, name));
    const durationSeconds = await probeDuration(o.ffprobePath, join(o.dir, name));
    files.push({ camera, file: name, part, sha256, bytes, durationSeconds });
  }
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
