import { describe, expect, it } from "vitest";
import { angleTime, GEOMETRY_SCRIPT, indexAt, niceStep, trackLayout } from "./incident-geometry.js";

describe("incident page arithmetic", () => {
  it.each([
    [1, 1],
    [1.2, 2],
    [3, 5],
    [7, 10],
    [42, 50],
    [120, 200],
    [0.3, 0.5],
  ])("niceStep(%s) = %s", (min, want) => {
    expect(niceStep(min)).toBeCloseTo(want, 9);
  });

  it("projects a track north up with one scale, inside the padding, on a metric grid", () => {
    // 1 km east along the equator-ish latitude 48°, then 500 m north.
    const lat = 48;
    const dLon = 1000 / (111_320 * Math.cos((48 * Math.PI) / 180));
    const dLat = 500 / 111_320;
    const pts = [
      { lat, lon: 11 },
      { lat, lon: 11 + dLon },
      { lat: lat + dLat, lon: 11 + dLon },
    ];
    const l = trackLayout(pts, 400, 300, 20, 40);
    expect(l).not.toBeNull();
    if (!l) return;
    const [a, b, c] = l.xy as [[number, number], [number, number], [number, number]];
    // east is +x, north is −y, and 1 km east is twice 500 m north
    expect(b[0] - a[0]).toBeGreaterThan(0);
    expect(b[1]).toBeCloseTo(a[1], 0);
    expect(c[1]).toBeLessThan(b[1]);
    expect((b[0] - a[0]) / (b[1] - c[1])).toBeCloseTo(2, 1);
    // the wider span fills the width between the paddings
    expect(a[0]).toBeCloseTo(20, 0);
    expect(b[0]).toBeCloseTo(380, 0);
    // 1000 m in 360 px: 0.36 px/m; a grid line at least every 40 px is 200 m (72 px)
    expect(l.pxPerMeter).toBeCloseTo(0.36, 3);
    expect(l.gridMeters).toBe(200);
    expect(l.gridPx).toBeCloseTo(72, 1); // the projection uses the track's centre latitude
  });

  it("draws a single fix (or a parked car) at the centre instead of dividing by zero", () => {
    const l = trackLayout([{ lat: 10, lon: 10 }], 200, 100, 10, 30);
    expect(l?.xy).toEqual([[100, 50]]);
    expect(trackLayout([], 200, 100, 10, 30)).toBeNull();
  });

  it.each([
    [999, 1000, 10, null],
    [1000, 1000, 10, 0],
    [6500, 1000, 10, 5.5],
    [11_000, 1000, 10, 10],
    [11_001, 1000, 10, null],
  ])("angleTime(t=%s, start=%s, %s s) = %s", (t, start, d, want) => {
    expect(angleTime(t, start, d)).toBe(want);
  });

  it.each([
    [5, -1],
    [10, 0],
    [15, 0],
    [20, 1],
    [99, 2],
  ])("indexAt(%s) = %s", (t, want) => {
    expect(indexAt([10, 20, 30], t)).toBe(want);
  });

  it("inlines into a page: each function works from its source text alone", () => {
    const fns = new Function(`${GEOMETRY_SCRIPT}\nreturn { trackLayout, indexAt };`)() as {
      trackLayout: typeof trackLayout;
      indexAt: typeof indexAt;
    };
    expect(fns.trackLayout([{ lat: 1, lon: 1 }], 10, 10, 0, 5)?.xy).toEqual([[5, 5]]);
    expect(fns.indexAt([1, 2], 1.5)).toBe(0);
  });
});
