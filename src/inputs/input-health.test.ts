import { describe, expect, it } from "vitest";
import { InputHealthWatch } from "./input-health.js";

const codes = (w: InputHealthWatch, now: number) => w.evaluate(now).map((p) => p.code);

describe("InputHealthWatch", () => {
  it("stuck: active longer than stuckAfterMs, cleared on release", () => {
    const w = new InputHealthWatch({ stuckAfterMs: 30_000, maxChanges: 20, windowMs: 30_000 });
    w.observe(true, 1000, true);
    expect(w.nextCheck(1000)).toBe(31_000);
    expect(codes(w, 30_999)).toEqual([]);
    const [p] = w.evaluate(31_000);
    expect(p?.code).toBe("input-stuck");
    expect(p?.detail).toBe("stuck: active for 30 s (stuckAfterSeconds 30)");
    w.observe(false, 40_000, true);
    expect(codes(w, 40_000)).toEqual([]);
  });

  it("stuck counts from the read at start when the input is already active", () => {
    const w = new InputHealthWatch({ stuckAfterMs: 5000, maxChanges: 20, windowMs: 30_000 });
    w.observe(true, 0, false);
    expect(codes(w, 5000)).toEqual(["input-stuck"]);
  });

  it("stuck detection off with stuckAfterMs 0", () => {
    const w = new InputHealthWatch({ stuckAfterMs: 0, maxChanges: 20, windowMs: 30_000 });
    w.observe(true, 0, true);
    expect(codes(w, 10_000_000)).toEqual([]);
    expect(w.nextCheck(0)).toBeNull();
  });

  it("flapping: more than maxChanges in the window, recovers when the window slides past them", () => {
    const w = new InputHealthWatch({ stuckAfterMs: 0, maxChanges: 4, windowMs: 10_000 });
    for (let i = 0; i < 4; i++) w.observe(i % 2 === 0, i * 500, true);
    expect(codes(w, 1500)).toEqual([]);
    w.observe(true, 2000, true);
    expect(w.evaluate(2000)).toEqual([
      { code: "input-flapping", detail: "flapping: 5 changes in the last 10 s (more than 4)" },
    ]);
    expect(w.nextCheck(2000)).toBe(10_000);
    expect(codes(w, 9999)).toEqual(["input-flapping"]);
    expect(codes(w, 10_000)).toEqual([]);
  });
});
