import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { concatStreamsToMp4, FfmpegError } from "../../src/recorder/ffmpeg-process.js";
import { probeVideo } from "./harness.js";

// Streamed assembly never leaves ffmpeg waiting or the caller hanging: a feed that fails kills ffmpeg, an
// ffmpeg that fails rejects with its own error.

let dir: string;
let segment: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "camsync-streamed-"));
  execFileSync("ffmpeg", [
    ...[
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=160x120:rate=10",
      "-t",
      "2",
    ],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-f", "mpegts", join(dir, "seg.ts")],
  ]);
  segment = readFileSync(join(dir, "seg.ts"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("concatStreamsToMp4", () => {
  it("joins inputs fed through pipes into one MP4", async () => {
    const out = join(dir, "ok.mp4");
    await concatStreamsToMp4("ffmpeg", 2, out, async (_i, write) => write(segment));
    expect((await probeVideo(out)).frames).toBe(40);
  });

  it("a feed that fails rejects with its error and stops ffmpeg", async () => {
    const out = join(dir, "feed-failed.mp4");
    const err = new Error("segment unreadable");
    await expect(
      concatStreamsToMp4("ffmpeg", 3, out, async (i, write) => {
        if (i === 1) throw err;
        await write(segment);
      }),
    ).rejects.toBe(err);
  });

  it("an ffmpeg that fails rejects with ffmpeg's own error, not a broken pipe", async () => {
    const out = join(dir, "no-such-dir", "x.mp4");
    await expect(
      concatStreamsToMp4("ffmpeg", 2, out, async (_i, write) => write(segment)),
    ).rejects.toBeInstanceOf(FfmpegError);
    expect(existsSync(out)).toBe(false);
  });
});
