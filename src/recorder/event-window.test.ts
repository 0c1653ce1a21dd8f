import { describe, expect, it } from "vitest";
import { belongsToEvent, cameraComplete, findGaps, partFor, preEventCovered } from "./event-window.js";

const seg = (startedAt: number, durationMs = 1000) => ({ startedAt, durationMs });

describe("belongsToEvent (event covers [from, end))", () => {
  it.each([
    ["ends before the start", seg(0), 1000, null, false],
    ["straddles the start (pre-event begins inside it)", seg(500), 1000, null, true],
    ["open event takes everything later", seg(50_000), 1000, null, true],
    ["starts before the end", seg(9_900), 1000, 10_000, true],
    ["starts at the end", seg(10_000), 1000, 10_000, false],
  ])("%s", (_name, s, from, end, expected) => {
    expect(belongsToEvent(s, from, end)).toBe(expected);
  });
});

describe("partFor", () => {
  const rollovers = [
    { part: 2, at: 60_000 },
    { part: 3, at: 120_000 },
  ];
  it.each([
    [0, 1],
    [59_999, 1],
    [60_000, 2],
    [119_000, 2],
    [130_000, 3],
  ])("segment starting at %s goes to part %s", (t, part) => {
    expect(partFor(t, rollovers)).toBe(part);
  });
});

describe("cameraComplete", () => {
  it("needs a segment reaching the end", () => {
    expect(cameraComplete([seg(0), seg(1000)], 2000)).toBe(true);
    expect(cameraComplete([seg(0), seg(1000)], 2900)).toBe(false);
    expect(cameraComplete([], 0)).toBe(false);
  });
});

describe("findGaps", () => {
  it("continuous footage (joins within tolerance) has none", () => {
    expect(findGaps([seg(0), seg(1000), seg(2050), seg(3050)], 0, 4000, [])).toEqual([]);
  });

  it("a hole between segments, with the fault that caused it", () => {
    const gaps = findGaps([seg(0), seg(1000), seg(4000)], 0, 5000, [
      { at: 1500, cause: "ffmpeg exited (signal SIGKILL)" },
    ]);
    expect(gaps).toEqual([{ from: 2000, to: 4000, cause: "ffmpeg exited (signal SIGKILL)" }]);
  });

  it("less pre-event than requested and a missing tail", () => {
    const gaps = findGaps([seg(3000), seg(4000)], 0, 8000, []);
    expect(gaps).toEqual([
      { from: 0, to: 3000, cause: "no footage from the camera" },
      { from: 5000, to: 8000, cause: "no footage from the camera" },
    ]);
  });

  it("a join between two ffmpeg runs is a gap even when it measures (almost) nothing", () => {
    const f = (file: string, startedAt: number) => ({
      file: `segments/front/${file}`,
      startedAt,
      durationMs: 1000,
    });
    const gaps = findGaps([f("A-000001.ts", 0), f("A-000002.ts", 1000), f("B-000000.ts", 2150)], 0, 3150, [
      { at: 1900, cause: "ffmpeg exited (signal SIGKILL)" },
    ]);
    expect(gaps).toEqual([{ from: 2000, to: 2150, cause: "ffmpeg exited (signal SIGKILL)" }]);
    // anchors of two runs may even overlap by a few ms: still a (zero-length) gap, never hidden
    expect(findGaps([f("A-000001.ts", 0), f("B-000000.ts", 990)], 0, 1990, [])).toEqual([
      { from: 1000, to: 1000, cause: "no footage from the camera" },
    ]);
  });

  it("a daemon restart explains a hole without a camera fault", () => {
    const gaps = findGaps([seg(0), seg(5000)], 0, 6000, [], [5500]);
    expect(gaps[0]?.cause).toBe("daemon not running");
  });

  it("no footage at all is one gap", () => {
    expect(findGaps([], 0, 3000, [])).toEqual([{ from: 0, to: 3000, cause: "no footage from the camera" }]);
  });
});

describe("preEventCovered", () => {
  it.each([
    [[seg(7_400), seg(8_400)], 10_000, 2.6],
    [[seg(10_500)], 10_000, 0],
    [[], 10_000, 0],
  ])("%#", (segs, trigger, covered) => {
    expect(preEventCovered(segs, trigger)).toBeCloseTo(covered, 6);
  });
});
