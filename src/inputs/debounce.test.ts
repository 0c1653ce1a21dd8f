import { describe, expect, it } from "vitest";
import { Debouncer } from "./debounce.js";
import type { Level } from "./digital-line.js";

type Step = [at: number, op: "sample" | "settle", level: Level];

/** Runs samples/settles and returns the committed changes as [at, level, since]. */
function run(debounceMs: number, steps: Step[]): [number, Level, number][] {
  const d = new Debouncer(debounceMs, 0, 0);
  const out: [number, Level, number][] = [];
  for (const [at, op, level] of steps) {
    if (op === "sample") d.sample(level, at);
    else {
      const c = d.settle(level, at);
      if (c) out.push([at, c.level, c.since]);
    }
  }
  return out;
}

describe("Debouncer (level-stable)", () => {
  it.each<[string, number, Step[], [number, Level, number][]]>([
    [
      "a clean edge counts once it held for debounceMs",
      200,
      [
        [1000, "sample", 1],
        [1200, "settle", 1],
      ],
      [[1200, 1, 1000]],
    ],
    [
      "not before debounceMs",
      200,
      [
        [1000, "sample", 1],
        [1199, "settle", 1],
      ],
      [],
    ],
    [
      "bounces restart the wait; the change dates from the last bounce",
      200,
      [
        [1000, "sample", 1],
        [1010, "sample", 0],
        [1020, "sample", 1],
        [1200, "settle", 1],
        [1220, "settle", 1],
      ],
      [[1220, 1, 1020]],
    ],
    [
      "a glitch shorter than debounceMs is dropped",
      200,
      [
        [1000, "sample", 1],
        [1050, "sample", 0],
        [1200, "settle", 0],
      ],
      [],
    ],
    [
      "a level that went away without an edge is not committed (the settle read disagrees)",
      200,
      [
        [1000, "sample", 1],
        [1200, "settle", 0],
      ],
      [],
    ],
    [
      "debounce 0 commits at once",
      0,
      [
        [5, "sample", 1],
        [5, "settle", 1],
      ],
      [[5, 1, 5]],
    ],
    [
      "a re-read that finds a new level starts the same wait",
      200,
      [
        [3000, "settle", 1],
        [3100, "settle", 1],
        [3200, "settle", 1],
      ],
      [[3200, 1, 3000]],
    ],
  ])("%s", (_name, debounceMs, steps, expected) => {
    expect(run(debounceMs, steps)).toEqual(expected);
  });

  it("reports when a pending change is due, and null when the line agrees", () => {
    const d = new Debouncer(200, 0, 0);
    expect(d.sample(0, 10)).toBeNull();
    expect(d.sample(1, 100)).toBe(300);
    expect(d.sample(1, 150)).toBe(300);
    expect(d.sample(0, 160)).toBeNull();
    expect(d.level).toBe(0);
  });
});
