import { formatNmeaSentence } from "../vehicle/nmea-parser.js";
import { DEMO_CAPTURE_SECONDS, demoSpeedKmh } from "./demo-capture.js";

/**
 * The demo's synthetic GPS track (`config/demo-gps.nmea`): the same one-minute drive as the demo's CAN
 * capture (stopped, up to 140 km/h, back to 0), eastwards along a straight road, one epoch per second of
 * RMC + GGA + VTG as a u-blox receiver sends them. Replayed in a loop by the demo (`gps.source.type:
 * replay`), so events recorded in the demo carry a GPS track.
 */
export const DEMO_TRACK_START = { lat: 39.7392, lon: -104.9903, utcMs: Date.UTC(2026, 10, 26, 10, 0, 0) };
const EARTH_M_PER_DEG = 111_320;
const KMH_PER_KNOT = 1.852;

function latField(deg: number): string {
  const a = Math.abs(deg);
  const d = Math.floor(a);
  return `${String(d).padStart(2, "0")}${((a - d) * 60).toFixed(4).padStart(7, "0")},${deg < 0 ? "S" : "N"}`;
}

function lonField(deg: number): string {
  const a = Math.abs(deg);
  const d = Math.floor(a);
  return `${String(d).padStart(3, "0")}${((a - d) * 60).toFixed(4).padStart(7, "0")},${deg < 0 ? "W" : "E"}`;
}

function utcFields(ms: number): { time: string; date: string } {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return {
    time: `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}.00`,
    date: `${p(d.getUTCDate())}${p(d.getUTCMonth() + 1)}${p(d.getUTCFullYear() % 100)}`,
  };
}

/** The track's sentences, in order (no line ends). */
export function demoNmeaLines(): string[] {
  const out: string[] = [];
  let lon = DEMO_TRACK_START.lon;
  const lat = DEMO_TRACK_START.lat;
  const mPerDegLon = EARTH_M_PER_DEG * Math.cos((lat * Math.PI) / 180);
  for (let t = 0; t < DEMO_CAPTURE_SECONDS; t++) {
    const kmh = demoSpeedKmh(t);
    const { time, date } = utcFields(DEMO_TRACK_START.utcMs + t * 1000);
    const pos = `${latField(lat)},${lonField(lon)}`;
    const knots = (kmh / KMH_PER_KNOT).toFixed(1);
    out.push(formatNmeaSentence(`GNRMC,${time},A,${pos},${knots},90.0,${date},,,A`));
    out.push(formatNmeaSentence(`GNGGA,${time},${pos},1,09,0.9,1609.0,M,-17.0,M,,`));
    out.push(formatNmeaSentence(`GNVTG,90.0,T,,M,${knots},N,${kmh.toFixed(1)},K,A`));
    // Move for the next second at the mean of this and the next second's speed.
    const metres = ((kmh + demoSpeedKmh(t + 1)) / 2 / 3.6) * 1;
    lon += metres / mPerDegLon;
  }
  return out;
}
