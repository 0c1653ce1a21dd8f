import { describe, expect, it } from "vitest";
import { ClockOffsetEstimate } from "./clock-offset.js";

const at = (ms: number) => new Date(ms).toISOString();

describe("ClockOffsetEstimate", () => {
  it.each([
    { name: "no sample: 0, source none", samples: [], want: { clockOffsetMs: 0, clockSource: "none" } },
    {
      name: "cam 420 ms ahead, 5 ms in flight",
      samples: [[1000, 1425]],
      want: { clockOffsetMs: 425, clockSource: "car" },
    },
    {
      name: "the smallest sample wins (a retained activation replayed a minute late)",
      samples: [
        [1000, 61_000],
        [70_000, 69_702],
        [80_000, 79_705],
      ],
      want: { clockOffsetMs: -298, clockSource: "car" },
    },
    {
      name: "a sample a day off is ignored",
      samples: [[0, 90_000_000]],
      want: { clockOffsetMs: 0, clockSource: "none" },
    },
  ])("$name", ({ samples, want }) => {
    const e = new ClockOffsetEstimate();
    for (const [carAt, camNow] of samples as [number, number][]) e.sample(at(carAt), camNow);
    expect(e.value).toEqual(want);
  });

  it("ignores an unparseable time", () => {
    const e = new ClockOffsetEstimate();
    e.sample("yesterday", 5);
    expect(e.value.clockSource).toBe("none");
  });
});
