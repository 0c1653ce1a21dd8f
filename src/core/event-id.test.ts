import { describe, expect, it } from "vitest";
import { isEventId, makeEventId, randomSuffix, utcStamp } from "./event-id.js";

describe("event ids", () => {
  it("are the UTC start second, the vehicle id and 16 random bits", () => {
    const id = makeEventId(Date.UTC(2026, 10, 26, 14, 22, 33, 999), "unit 12/x", "3f9a");
    expect(id).toBe("20261126T142233Z-unit12x-3f9a");
    expect(isEventId(id)).toBe(true);
    expect(isEventId(makeEventId(Date.UTC(2026, 0, 1), "unit12"))).toBe(true);
  });

  it("stamp the UTC second as toISOString does, across leap days, centuries and the year's ends", () => {
    const iso = (ms: number) => {
      const s = new Date(ms).toISOString();
      return `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}T${s.slice(11, 13)}${s.slice(14, 16)}${s.slice(17, 19)}Z`;
    };
    const cases = [
      0,
      -1, // 1969-12-31T23:59:59.999Z
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2100, 1, 28, 12),
      Date.UTC(2100, 2, 1),
      Date.UTC(2024, 11, 31, 23, 59, 59),
      Date.UTC(2025, 0, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(1000, 5, 15, 6, 7, 8),
    ];
    for (const ms of cases) expect(utcStamp(ms)).toBe(iso(ms));
    // and every hour of four years, leap year included, at an odd millisecond
    for (let ms = Date.UTC(2027, 0, 1, 0, 0, 0, 517); ms < Date.UTC(2031, 0, 1); ms += 3_600_000 + 7_001)
      expect(utcStamp(ms)).toBe(iso(ms));
  });

  it("clean each vehicle id on its own (no id keeps an earlier vehicle's part)", () => {
    expect(makeEventId(0, "car/1", "0000")).toBe("19700101T000000Z-car1-0000");
    expect(makeEventId(0, "car 2", "0000")).toBe("19700101T000000Z-car2-0000");
    expect(makeEventId(0, "!!!", "0000")).toBe("19700101T000000Z-vehicle-0000");
    expect(makeEventId(0, "car/1", "0000")).toBe("19700101T000000Z-car1-0000");
  });

  it("draw their suffixes from a refilled random pool: 4 hex digits, spread over the whole range", () => {
    const suffixes = Array.from({ length: 4096 }, () => randomSuffix());
    for (const s of suffixes) expect(s).toMatch(/^[0-9a-f]{4}$/);
    // 4096 draws from 65,536 values: ~3,970 distinct expected; a pool reused without refilling gives 32
    expect(new Set(suffixes).size).toBeGreaterThan(3800);
    const high = suffixes.filter((s) => Number.parseInt(s, 16) >= 0x8000).length;
    expect(high).toBeGreaterThan(1800);
    expect(high).toBeLessThan(2300);
  });
});
