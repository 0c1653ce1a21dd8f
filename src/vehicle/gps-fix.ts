import type { GpsFix } from "../core/event-bus.js";
import type { NmeaGga, NmeaSentence, NmeaVtg } from "./nmea-parser.js";

/** What the receiver says this epoch, beyond the fix itself. */
export interface GpsEpoch {
  /** A valid position fix, or null when the receiver reports none. */
  fix: GpsFix | null;
  /** The receiver's UTC time (RMC time + date), when it gave one. */
  gpsTimeMs: number | null;
}

/** A source of GPS epochs: an NMEA receiver on a serial line, or gpsd. */
export interface GpsFeed {
  /** "serial" or "gpsd". */
  readonly kind: string;
  /** Serial path or gpsd host:port. */
  readonly device: string;
  start(): void;
  stop(): Promise<void>;
  /** Monotonic time the link (port / socket) last came up, or null while it is down. */
  upSince(): number | null;
  status(): Record<string, unknown>;
}

/** GGA/VTG older than this are not merged into a fix. */
const MERGE_MAX_AGE_MS = 2000;
/** Without an RMC for this long (from the first sentence on), fixes are built from GGA (+ VTG) alone. */
const RMC_ABSENT_MS = 3000;

/**
 * Merges one receiver's NMEA sentences into fixes. A fix is produced on each RMC (position, speed, course,
 * validity, time), with satellites/HDOP/quality from the latest GGA and speed from VTG if RMC has none.
 * Receivers that send no RMC (none for 3 s) get fixes on GGA, with speed from the latest VTG.
 * Pure; `nowMs` is host time.
 *
 * Fix dimension: RMC invalid or GGA quality 0 → "none"; otherwise "3d" with ≥ 4 satellites in use, else
 * "2d" (NMEA RMC/GGA do not state the dimension; a 3-D solution needs four satellites).
 */
export class GpsFixAssembler {
  private gga: { s: NmeaGga; at: number } | null = null;
  private vtg: { s: NmeaVtg; at: number } | null = null;
  private lastRmcAt = Number.NEGATIVE_INFINITY;
  private firstAt: number | null = null;

  push(s: NmeaSentence, nowMs: number): GpsEpoch | null {
    this.firstAt ??= nowMs;
    switch (s.type) {
      case "GGA":
        this.gga = { s, at: nowMs };
        if (nowMs - Math.max(this.lastRmcAt, this.firstAt) < RMC_ABSENT_MS) return null;
        return { fix: this.fromGga(s, nowMs), gpsTimeMs: null };
      case "VTG":
        this.vtg = { s, at: nowMs };
        return null;
      case "RMC": {
        this.lastRmcAt = nowMs;
        const gga = this.fresh(this.gga, nowMs);
        if (!s.valid || s.lat === null || s.lon === null || gga?.quality === 0) {
          return { fix: null, gpsTimeMs: s.utcMs };
        }
        const vtg = this.fresh(this.vtg, nowMs);
        const fix: GpsFix = {
          at: nowMs,
          lat: s.lat,
          lon: s.lon,
          speedKmh: s.speedKmh ?? (vtg?.valid ? vtg.speedKmh : null),
          courseDeg: s.courseDeg ?? (vtg?.valid ? vtg.courseDeg : null),
          fix: dimension(gga),
          satellites: gga?.satellites ?? null,
          hdop: gga?.hdop ?? null,
        };
        return { fix, gpsTimeMs: s.utcMs };
      }
    }
  }

  private fromGga(s: NmeaGga, nowMs: number): GpsFix | null {
    if (s.quality === 0 || s.lat === null || s.lon === null) return null;
    const vtg = this.fresh(this.vtg, nowMs);
    return {
      at: nowMs,
      lat: s.lat,
      lon: s.lon,
      speedKmh: vtg?.valid ? vtg.speedKmh : null,
      courseDeg: vtg?.valid ? vtg.courseDeg : null,
      fix: dimension(s),
      satellites: s.satellites,
      hdop: s.hdop,
    };
  }

  /** Forget everything (the receiver was reconnected and may send a different set of sentences). */
  reset(): void {
    this.gga = null;
    this.vtg = null;
    this.lastRmcAt = Number.NEGATIVE_INFINITY;
    this.firstAt = null;
  }

  private fresh<T>(entry: { s: T; at: number } | null, nowMs: number): T | null {
    return entry && nowMs - entry.at <= MERGE_MAX_AGE_MS ? entry.s : null;
  }
}

function dimension(gga: NmeaGga | null): "2d" | "3d" {
  return gga?.satellites != null && gga.satellites >= 4 ? "3d" : "2d";
}
