import { describe, expect, it } from "vitest";
import { measuredBitrate, planRing, type RingEntry, reserveBytes, ringKeepMs } from "./ring.js";

const NOW = 1_000_000;
/** Ten 1 s segments ending 1 s … 10 s ago, 1000 bytes each (oldest first: s9 … s0). */
function ring(over: Partial<Record<string, Partial<RingEntry>>> = {}): RingEntry[] {
  return Array.from({ length: 10 }, (_, i) => {
    const key = `s${i}`;
    return {
      key,
      startedAt: NOW - (i + 2) * 1000,
      durationMs: 1000,
      bytes: 1000,
      linked: false,
      needed: false,
      ...over[key],
    };
  });
}

describe("planRing", () => {
  it.each([
    ["nothing old, plenty of space", { keepMs: 20_000 }, [], "none", 0],
    ["drops what is older than keepMs, oldest first", { keepMs: 6500 }, ["s9", "s8", "s7", "s6"], "none", 0],
    [
      "low space: trims oldest beyond the pre-event window until the reserve is met",
      { keepMs: 60_000, windowMs: 4500, freeBytes: 500, reserveBytes: 3000 },
      ["s9", "s8", "s7"],
      "trimmed",
      0,
    ],
    [
      "never into the pre-event window: still short",
      { keepMs: 60_000, windowMs: 8500, freeBytes: 0, reserveBytes: 100_000 },
      ["s9", "s8"],
      "short",
      98_000,
    ],
  ])("%s", (_name, opts, deleted, pressure, short) => {
    const defaults = { keepMs: 60_000, windowMs: 4000, freeBytes: 1e9, reserveBytes: 0 };
    const plan = planRing({
      entries: ring(),
      now: NOW,
      ...defaults,
      ...opts,
    });
    expect(plan.delete).toEqual(deleted);
    expect(plan.pressure).toBe(pressure);
    expect(plan.shortBytes).toBe(short);
  });

  it("never deletes a segment an open event still has to claim", () => {
    const plan = planRing({
      entries: ring({ s9: { needed: true }, s8: { needed: true } }),
      now: NOW,
      keepMs: 6500,
      windowMs: 4000,
      freeBytes: 0,
      reserveBytes: 1e9,
    });
    expect(plan.delete).not.toContain("s9");
    expect(plan.delete).not.toContain("s8");
    expect(plan.delete).toEqual(["s7", "s6", "s5", "s4"]);
  });

  it("ring entries also linked into an event age out but free nothing and are not trimmed for space", () => {
    const plan = planRing({
      entries: ring({ s9: { linked: true }, s5: { linked: true } }),
      now: NOW,
      keepMs: 9500,
      windowMs: 4000,
      freeBytes: 0,
      reserveBytes: 3500,
    });
    expect(plan.delete).toEqual(["s9", "s8", "s7", "s6", "s4"]);
    expect(plan.freedBytes).toBe(4000);
    expect(plan.pressure).toBe("trimmed");
  });
});

describe("ring sizing", () => {
  it.each([
    [30, 10, 0, 40_000],
    [30, 10, 24, 86_400_000],
    [120, 10, 0.01, 130_000],
  ])("ringKeepMs(pre %s, margin %s, keepHours %s) = %s", (pre, margin, hours, ms) => {
    expect(ringKeepMs(pre, margin, hours)).toBe(ms);
  });

  it.each([
    ["an hour at 1 Mbit/s", 1_000_000, 60, 0, 450_000_000],
    ["minFreeBytes is the floor", 1_000_000, 1, 1e9, 1e9],
  ])("reserveBytes: %s", (_n, bps, minutes, min, expected) => {
    expect(reserveBytes(bps, minutes, min)).toBe(expected);
  });

  it("measuredBitrate needs at least a second of footage", () => {
    expect(measuredBitrate([{ bytes: 100, durationMs: 500 }])).toBeNull();
    expect(
      measuredBitrate([
        { bytes: 125_000, durationMs: 1000 },
        { bytes: 125_000, durationMs: 1000 },
      ]),
    ).toBe(1_000_000);
  });
});
