import { describe, expect, it } from "vitest";
import { nextAnchor, parseSegmentList, REANCHOR_DRIFT_MS, segmentFromEntry } from "./segment.js";

describe("parseSegmentList", () => {
  it.each([
    ["complete lines", "a.ts,0.000000,1.021333\nb.ts,1.021333,2.021333\n", ["a.ts", "b.ts"], "", 0],
    ["a line still being written is kept as rest", "a.ts,0.0,1.0\nb.ts,1.0,2", ["a.ts"], "b.ts,1.0,2", 0],
    ["quoted names", '"a.ts",0.0,1.0\n', ["a.ts"], "", 0],
    ["malformed lines are counted, not returned", "garbage\nc.ts,2.0,1.0\nd.ts,1.0,2.0\n", ["d.ts"], "", 2],
    ["empty", "", [], "", 0],
  ])("%s", (_name, text, files, rest, malformed) => {
    const r = parseSegmentList(text);
    expect(r.entries.map((e) => e.file)).toEqual(files);
    expect(r.rest).toBe(rest);
    expect(r.malformed).toBe(malformed);
  });

  it("reads start and end seconds", () => {
    expect(parseSegmentList("x.ts,1.021333,2.021333\n").entries[0]).toEqual({
      file: "x.ts",
      start: 1.021333,
      end: 2.021333,
    });
  });
});

describe("nextAnchor: the run's wall clock is the smallest mtime − end", () => {
  const e = (end: number) => ({ file: "x.ts", start: end - 1, end });
  it.each([
    ["first segment sets it", null, e(1), 10_000 + 1000, 10_000],
    ["a later, slower close keeps it", 10_000, e(2), 10_000 + 2000 + 150, 10_000],
    ["an earlier offset lowers it", 10_000, e(3), 10_000 + 3000 - 40, 9_960],
    [
      "drift beyond the limit re-anchors",
      10_000,
      e(4),
      10_000 + 4000 + REANCHOR_DRIFT_MS + 1,
      10_000 + REANCHOR_DRIFT_MS + 1,
    ],
  ])("%s", (_name, prev, entry, mtime, expected) => {
    expect(nextAnchor(prev, entry, mtime)).toBe(expected);
  });
});

describe("segmentFromEntry", () => {
  it("dates the segment on the wall clock and measures it in ms", () => {
    const s = segmentFromEntry(
      "front",
      "r1",
      { file: "r1-000002.ts", start: 2.021333, end: 3.021333 },
      1_000_000,
      4242,
    );
    expect(s).toEqual({
      camera: "front",
      run: "r1",
      file: "r1-000002.ts",
      startedAt: 1_002_021,
      durationMs: 1000,
      bytes: 4242,
    });
  });
});
