import { describe, expect, it } from "vitest";
import { LatencyWindow } from "./latency-window.js";

describe("latency window", () => {
  it("is empty before the first sample", () => {
    expect(new LatencyWindow().summary()).toEqual({ count: 0, p50: null, p99: null, max: null });
  });

  it.each([
    { samples: [1], p50: 1, p99: 1, max: 1 },
    { samples: [3, 1, 2], p50: 2, p99: 3, max: 3 },
    { samples: Array.from({ length: 100 }, (_, i) => i + 1), p50: 50, p99: 99, max: 100 },
  ])("nearest-rank percentiles of $samples.length samples", ({ samples, p50, p99, max }) => {
    const w = new LatencyWindow();
    for (const s of samples) w.record(s);
    expect(w.summary()).toEqual({ count: samples.length, p50, p99, max });
  });

  it("keeps only the most recent samples, counts every one, and ignores impossible values", () => {
    const w = new LatencyWindow(4);
    for (const s of [100, 100, 100, 100, 1, 2, 3, 4]) w.record(s);
    w.record(Number.NaN);
    w.record(-1);
    expect(w.summary()).toEqual({ count: 8, p50: 2, p99: 4, max: 4 });
  });
});
