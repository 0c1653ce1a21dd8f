import { describe, expect, it } from "vitest";
import { StageTrace } from "./stage-trace.js";

describe("StageTrace", () => {
  it("gives each stage's time since the first mark, and when the first mark was taken on the wall clock", () => {
    const trace = new StageTrace(true);
    const before = performance.timeOrigin + performance.now();
    trace.begin("read");
    const spin = performance.now() + 2;
    while (performance.now() < spin) {}
    trace.mark("parsed");
    const after = performance.timeOrigin + performance.now();
    const taken = trace.take();
    if (!taken) throw new Error("nothing taken");
    expect(taken.stages.read).toBe(0);
    expect(taken.stages.parsed).toBeGreaterThanOrEqual(2);
    expect(taken.stages.engine).toBeUndefined();
    expect(taken.startedAt).toBeGreaterThanOrEqual(Math.floor(before * 1000) / 1000);
    expect(taken.startedAt).toBeLessThanOrEqual(after);
    // Taken once: the next path starts clean.
    expect(trace.take()).toBeNull();
  });

  it("records nothing when off", () => {
    const trace = new StageTrace(false);
    trace.begin("read");
    trace.mark("published");
    expect(trace.take()).toBeNull();
  });
});
