import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FfmpegError } from "./ffmpeg-process.js";

/**
 * Events whose assembly failed for lack of space, waiting for it to come back. The ring keeper measures
 * free space on every check; once there is room for an event's MP4 (about its segments' size, plus a
 * margin), its assembly is retried — without a restart.
 */

/** Headroom beyond the segments' size (MP4 index, manifest, the ring's own growth meanwhile). */
const MARGIN_BYTES = 4 * 1024 * 1024;

/** Did this fail because the disk (or quota) is full? Node errors and ffmpeg's own message both count. */
export function isOutOfSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") return true;
  if (err instanceof FfmpegError)
    return /no space left on device|disk quota exceeded/i.test(`${err.message} ${err.stderr.join(" ")}`);
  return false;
}

/** Bytes an event's assembly needs free: the size of its claimed segments, plus a margin. */
export function assemblyNeeds(eventDir: string): number {
  let bytes = 0;
  const segments = join(eventDir, "segments");
  let cameras: string[] = [];
  try {
    cameras = readdirSync(segments);
  } catch {
    return MARGIN_BYTES;
  }
  for (const cam of cameras) {
    let files: string[] = [];
    try {
      files = readdirSync(join(segments, cam));
    } catch {
      continue;
    }
    for (const f of files) {
      try {
        bytes += statSync(join(segments, cam, f)).size;
      } catch {
        // removed meanwhile
      }
    }
  }
  return bytes + MARGIN_BYTES;
}

export class SpaceWaitlist {
  private readonly waiting = new Map<string, { needBytes: number; retry: () => void }>();

  /** Retry `retry` once at least `needBytes` are free. */
  add(eventId: string, needBytes: number, retry: () => void): void {
    this.waiting.set(eventId, { needBytes, retry });
  }

  get size(): number {
    return this.waiting.size;
  }

  /** The ring keeper measured free space: retry what now fits (one at a time, smallest first). */
  spaceChecked(freeBytes: number): void {
    const next = [...this.waiting].sort((a, b) => a[1].needBytes - b[1].needBytes)[0];
    if (!next || next[1].needBytes > freeBytes) return;
    this.waiting.delete(next[0]);
    next[1].retry();
  }
}
