import { describe, expect, it } from "vitest";
import { type CarState, FlapGuard } from "./flap-guard.js";

/** Feed edges [active, carState] at 100 ms steps; returns which passed. */
function feed(guard: FlapGuard, edges: [boolean, CarState][], start = 0): boolean[] {
  return edges.map(([active, car], i) => guard.admit("bc1", active, start + i * 100, car));
}

describe("FlapGuard", () => {
  it("passes the first edges of a window, then holds the flapping ones", () => {
    const g = new FlapGuard(4, 10_000);
    const edges: [boolean, CarState][] = Array.from({ length: 10 }, (_, i) => [i % 2 === 0, "active"]);
    expect(feed(g, edges)).toEqual([true, true, true, true, false, false, false, false, false, false]);
    // The latest held edge was a stop (false); the last passed was a stop too: nothing to deliver.
    expect(g.flush()).toEqual([{ id: "bc1", held: 6, from: 400, to: 900, deliver: null }]);
  });

  it("delivers the latest state when it differs from the last one passed", () => {
    const g = new FlapGuard(2, 10_000);
    feed(g, [
      [true, "active"],
      [false, "active"],
      [true, "active"],
    ]);
    expect(g.flush()).toEqual([{ id: "bc1", held: 1, from: 200, to: 200, deliver: true }]);
  });

  it.each<[CarState, boolean]>([
    ["idle", true],
    ["post-roll", true],
    ["active", false],
  ])("a start while the car is %s passes even when flapping: %s", (car, passes) => {
    const g = new FlapGuard(2, 10_000);
    feed(g, [
      [true, "active"],
      [false, "active"],
    ]);
    expect(g.admit("bc1", true, 300, car)).toBe(passes);
    // A stop never passes once flapping (it never starts or keeps recording).
    expect(g.admit("bc1", false, 400, car)).toBe(false);
  });

  it("a new window after flush passes edges again; other cams are independent", () => {
    const g = new FlapGuard(1, 1000);
    expect(g.admit("bc1", true, 0, "active")).toBe(true);
    expect(g.admit("bc1", false, 10, "active")).toBe(false);
    expect(g.admit("bc2", true, 20, "active")).toBe(true);
    expect(g.holding).toBe(true);
    g.flush();
    expect(g.holding).toBe(false);
    expect(g.admit("bc1", true, 1500, "active")).toBe(true);
  });

  it("keeps holding across an ended window until flushed (the summary is not lost)", () => {
    const g = new FlapGuard(1, 1000);
    g.admit("bc1", true, 0, "active");
    g.admit("bc1", false, 10, "active");
    expect(g.admit("bc1", true, 2000, "active")).toBe(false);
    expect(g.flush()).toEqual([{ id: "bc1", held: 2, from: 10, to: 2000, deliver: null }]);
  });
});
