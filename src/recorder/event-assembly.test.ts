import { describe, expect, it } from "vitest";
import { timelineRuns } from "./event-assembly.js";
import type { Claimed } from "./open-event.js";

const c = (file: string, startedAt: number, muted = false): Claimed => ({
  file,
  startedAt,
  durationMs: 1000,
  part: 1,
  preEvent: muted,
  muted,
});
const names = (groups: Claimed[][]) => groups.map((g) => g.map((x) => x.file));

describe("timelineRuns: segments joined byte-wise share one media timeline", () => {
  it("one ffmpeg run without holes is one run", () => {
    expect(
      names(timelineRuns([c("A-000001.ts", 0), c("A-000002.ts", 1000), c("A-000003.ts", 2000)])),
    ).toEqual([["A-000001.ts", "A-000002.ts", "A-000003.ts"]]);
  });

  it("a restarted ffmpeg (new run), a hole, and muted segments each start a new run", () => {
    const groups = timelineRuns([
      c("A-000001.ts", 0, true),
      c("A-000002.ts", 1000, true),
      c("A-000003.ts", 2000),
      c("A-000004.ts", 3000),
      c("A-000006.ts", 5000),
      c("B-000000.ts", 6500),
      c("B-000001.ts", 7500),
    ]);
    expect(names(groups)).toEqual([
      ["A-000001.ts"],
      ["A-000002.ts"],
      ["A-000003.ts", "A-000004.ts"],
      ["A-000006.ts"],
      ["B-000000.ts", "B-000001.ts"],
    ]);
  });

  it("nothing in, nothing out", () => {
    expect(timelineRuns([])).toEqual([]);
  });
});
