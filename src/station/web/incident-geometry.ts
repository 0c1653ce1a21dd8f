/**
 * The incident page's arithmetic, as plain functions: tested here, and inlined into the page's script
 * by their source text (GEOMETRY_SCRIPT), so they use nothing but each other.
 */

/** The smallest 1, 2 or 5 × 10^n at or above `min` (grid and scale-bar lengths). */
export function niceStep(min: number): number {
  const e = 10 ** Math.floor(Math.log10(Math.max(min, 1e-9)));
  for (const m of [1, 2, 5, 10]) if (m * e >= min - 1e-9) return m * e;
  return 10 * e;
}

export interface TrackLayout {
  /** Pixel coordinates of every point, in order. */
  xy: [number, number][];
  pxPerMeter: number;
  /** Grid spacing (also the scale bar): metres and pixels. */
  gridMeters: number;
  gridPx: number;
  /** Pixel position of the grid line nearest the left/top edge (lines every gridPx from there). */
  gridX0: number;
  gridY0: number;
}

/**
 * A GPS track drawn into a width×height box without tiles: local equirectangular projection around the
 * track's centre (metres east/north; fine for the few kilometres of one incident), north up, one scale
 * on both axes, a metric grid of 1/2/5 steps at least `minGridPx` apart. Null without points.
 */
export function trackLayout(
  points: { lat: number; lon: number }[],
  width: number,
  height: number,
  pad: number,
  minGridPx: number,
): TrackLayout | null {
  if (points.length === 0) return null;
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  let maxLon = -Infinity;
  for (const p of points) {
    minLat = Math.min(minLat, p.lat);
    maxLat = Math.max(maxLat, p.lat);
    minLon = Math.min(minLon, p.lon);
    maxLon = Math.max(maxLon, p.lon);
  }
  const cLat = (minLat + maxLat) / 2;
  const cLon = (minLon + maxLon) / 2;
  const mLat = 111_320;
  const mLon = 111_320 * Math.cos((cLat * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * mLon, 50);
  const spanY = Math.max((maxLat - minLat) * mLat, 50);
  const pxPerMeter = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const gridMeters = niceStep(minGridPx / pxPerMeter);
  const gridPx = gridMeters * pxPerMeter;
  const x = (lon: number) => width / 2 + (lon - cLon) * mLon * pxPerMeter;
  const y = (lat: number) => height / 2 - (lat - cLat) * mLat * pxPerMeter;
  const r = (n: number) => Math.round(n * 10) / 10;
  // Grid lines fall on whole multiples of gridMeters from the centre.
  const gridX0 = (((width / 2) % gridPx) + gridPx) % gridPx;
  const gridY0 = (((height / 2) % gridPx) + gridPx) % gridPx;
  return {
    xy: points.map((p) => [r(x(p.lon)), r(y(p.lat))]),
    pxPerMeter,
    gridMeters,
    gridPx,
    gridX0,
    gridY0,
  };
}

/** Where a video must be (seconds into it) at instant `t`; null when it has no footage then. */
export function angleTime(t: number, startMs: number, durationSeconds: number): number | null {
  const s = (t - startMs) / 1000;
  return s < 0 || s > durationSeconds ? null : s;
}

/** The index of the last sample at or before `t` in a list sorted by `at` (epoch ms); -1 before the first. */
export function indexAt(ats: number[], t: number): number {
  let lo = 0;
  let hi = ats.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((ats[mid] ?? Infinity) <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The functions above as browser script text (function declarations, names kept). */
export const GEOMETRY_SCRIPT = [niceStep, trackLayout, angleTime, indexAt]
  .map((f) => f.toString())
  .join("\n");
