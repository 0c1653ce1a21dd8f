import { describe, expect, it } from "vitest";
import { isEventId, makeEventId, randomSuffix } from "./event-id.js";

describe("event ids", () => {
  it("are the UTC start second, the vehicle id and 16 random bits", () => {
    const id = makeEventId(Date.UTC(2026, 10, 26, 14, 22, 33, 999), "unit 12/x", "3f9a");
    expect(id).toBe("20261126T142233Z-unit12x-3f9a");
    expect(isEventId(id)).toBe(true);
    expect(isEventId(makeEventId(Date.UTC(2026, 0, 1), "unit12"))).toBe(true);
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
