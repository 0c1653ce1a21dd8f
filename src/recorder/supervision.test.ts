import { describe, expect, it } from "vitest";
import { planRestart, recentFailures, type SupervisionPolicy, stallDeadline } from "./supervision.js";

const policy: SupervisionPolicy = {
  segmentSeconds: 1,
  stallSegments: 3,
  startupTimeoutMs: 10_000,
  backoffInitialMs: 200,
  backoffMaxMs: 10_000,
  crashLoopLimit: 5,
  crashLoopWindowMs: 60_000,
};

describe("planRestart", () => {
  it.each([
    ["first failure: quick restart", [100_000], 100_000, { delayMs: 200, failures: 1, crashLoop: false }],
    [
      "second within the window doubles",
      [90_000, 100_000],
      100_000,
      { delayMs: 400, failures: 2, crashLoop: false },
    ],
    [
      "old failures outside the window do not count",
      [10_000, 100_000],
      100_000,
      { delayMs: 200, failures: 1, crashLoop: false },
    ],
    ["fourth", [97_000, 98_000, 99_000, 100_000], 100_000, { delayMs: 1600, failures: 4, crashLoop: false }],
    [
      "crash loop: down, restarts continue at the maximum backoff",
      [96_000, 97_000, 98_000, 99_000, 100_000],
      100_000,
      { delayMs: 10_000, failures: 5, crashLoop: true },
    ],
  ])("%s", (_name, failures, now, expected) => {
    expect(planRestart(failures, now, policy)).toEqual(expected);
  });

  it("caps the backoff", () => {
    const p = { ...policy, crashLoopLimit: 100, backoffMaxMs: 1000 };
    expect(planRestart([1, 2, 3, 4, 5, 6, 7, 8], 10, p).delayMs).toBe(1000);
  });

  it("recentFailures keeps only the window", () => {
    expect(recentFailures([0, 30_000, 70_000], 80_000, policy)).toEqual([30_000, 70_000]);
  });
});

describe("stallDeadline", () => {
  it.each([
    ["before the first segment: startup timeout", 5_000, null, 15_000],
    ["after a segment: three segment lengths", 5_000, 20_000, 23_000],
  ])("%s", (_name, runStarted, lastSegment, expected) => {
    expect(stallDeadline(runStarted, lastSegment, policy)).toBe(expected);
  });

  it("scales with two-second segments", () => {
    expect(stallDeadline(0, 1000, { ...policy, segmentSeconds: 2 })).toBe(7000);
  });
});
