import { closeSync, openSync, readSync } from "node:fs";
import { parseSegmentList, type SegmentListEntry } from "./segment.js";

/**
 * One ffmpeg run's segment list (`{run}.csv` in the ring), read incrementally: each call returns the
 * entries ffmpeg completed since the previous one, keeping a partly written last line for the next.
 */
export class SegmentListReader {
  private offset = 0;
  private rest = "";

  constructor(readonly path: string) {}

  /** New complete entries; [] while the list does not exist yet (ffmpeg starting). Other errors throw. */
  readNew(): SegmentListEntry[] {
    let chunk = "";
    try {
      const fd = openSync(this.path, "r");
      try {
        const buf = Buffer.alloc(64 * 1024);
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, this.offset);
          if (n <= 0) break;
          this.offset += n;
          chunk += buf.toString("utf8", 0, n);
        }
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    if (!chunk) return [];
    const { entries, rest } = parseSegmentList(this.rest + chunk);
    this.rest = rest;
    return entries;
  }
}
