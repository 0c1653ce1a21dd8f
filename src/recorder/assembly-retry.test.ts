import { describe, expect, it } from "vitest";
import { isOutOfSpace, SpaceWaitlist } from "./assembly-retry.js";
import { FfmpegError } from "./ffmpeg-process.js";

describe("assembly retry after ENOSPC", () => {
  it.each([
    ["Node ENOSPC", Object.assign(new Error("write"), { code: "ENOSPC" }), true],
    ["quota", Object.assign(new Error("write"), { code: "EDQUOT" }), true],
    [
      "ffmpeg out of space",
      new FfmpegError("ffmpeg exited with code 1", ["av_interleaved_write_frame(): No space left on device"]),
      true,
    ],
    [
      "ffmpeg other failure",
      new FfmpegError("ffmpeg exited with code 1", ["Invalid data found when processing input"]),
      false,
    ],
    ["other fs error", Object.assign(new Error("open"), { code: "EACCES" }), false],
  ])("%s → %s", (_name, err, expected) => {
    expect(isOutOfSpace(err)).toBe(expected);
  });

  it("retries what fits once, smallest first, and keeps the rest waiting", () => {
    const w = new SpaceWaitlist();
    const retried: string[] = [];
    w.add("big", 900, () => retried.push("big"));
    w.add("small", 300, () => retried.push("small"));
    w.spaceChecked(200);
    expect(retried).toEqual([]);
    w.spaceChecked(1000);
    expect(retried).toEqual(["small"]);
    expect(w.size).toBe(1);
    w.spaceChecked(1000);
    expect(retried).toEqual(["small", "big"]);
    w.spaceChecked(1000);
    expect(retried).toEqual(["small", "big"]);
  });
});
