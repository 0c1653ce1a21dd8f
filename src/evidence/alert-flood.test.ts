import { describe, expect, it } from "vitest";
import { AlertFloodGuard } from "./alert-flood.js";

describe("alert flood guard", () => {
  it("writes up to the limit per code and window, then counts", () => {
    const g = new AlertFloodGuard(3, 60_000);
    const writes = [0, 1, 2, 3, 4].map((i) => g.admit("bodycam-unpaired", 1000 + i).write);
    expect(writes).toEqual([true, true, true, false, false]);
    expect(g.admit("storage-low", 1010).write).toBe(true); // another code has its own budget
  });

  it("reports the suppressed alerts once the window ends, before the next alert", () => {
    const g = new AlertFloodGuard(1, 60_000);
    g.admit("x", 0);
    g.admit("x", 10);
    g.admit("x", 20);
    expect(g.admit("y", 59_999).summaries).toEqual([]);
    const next = g.admit("x", 60_000);
    expect(next).toEqual({ write: true, summaries: [{ code: "x", count: 2, from: 10, to: 20 }] });
  });

  it("flushes every window at stop, and nothing when nothing was suppressed", () => {
    const g = new AlertFloodGuard(1, 60_000);
    g.admit("a", 0);
    g.admit("b", 0);
    g.admit("b", 5);
    expect(g.flush(6)).toEqual([]);
    expect(g.flush(6, true)).toEqual([{ code: "b", count: 1, from: 5, to: 5 }]);
    expect(g.flush(7, true)).toEqual([]);
  });
});
