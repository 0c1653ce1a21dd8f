import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./offload.js";

describe("offload retry delay", () => {
  it.each([
    [0, 30_000],
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [5, 480_000],
    [6, 600_000],
    [100, 600_000],
  ])("after %i consecutive failure(s): %i ms", (failures, expected) => {
    expect(retryDelayMs(failures, 30_000, 600_000)).toBe(expected);
  });
});
