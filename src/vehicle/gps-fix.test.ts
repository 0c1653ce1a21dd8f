import { describe, expect, it } from "vitest";
import { GpsFixAssembler } from "./gps-fix.js";
import type { NmeaGga, NmeaRmc, NmeaVtg } from "./nmea-parser.js";

const rmc = (over: Partial<NmeaRmc> = {}): NmeaRmc => ({
  type: "RMC",
  talker: "GP",
  valid: true,
  utcMs: Date.UTC(2026, 10, 26, 10, 15, 0),
  lat: 48.1,
  lon: 11.5,
  speedKmh: 50,
  courseDeg: 90,
  ...over,
});
const gga = (over: Partial<NmeaGga> = {}): NmeaGga => ({
  type: "GGA",
  talker: "GP",
  quality: 1,
  satellites: 8,
  hdop: 0.9,
  altitudeM: 500,
  lat: 48.1,
  lon: 11.5,
  ...over,
});
const vtg = (over: Partial<NmeaVtg> = {}): NmeaVtg => ({
  type: "VTG",
  talker: "GP",
  valid: true,
  courseDeg: 80,
  speedKmh: 42,
  ...over,
});

describe("GpsFixAssembler", () => {
  it("emits on RMC, merged with the epoch's GGA", () => {
    const a = new GpsFixAssembler();
    expect(a.push(gga(), 1000)).toBeNull();
    expect(a.push(rmc(), 1010)).toEqual({
      fix: {
        at: 1010,
        lat: 48.1,
        lon: 11.5,
        speedKmh: 50,
        courseDeg: 90,
        fix: "3d",
        satellites: 8,
        hdop: 0.9,
      },
      gpsTimeMs: Date.UTC(2026, 10, 26, 10, 15, 0),
    });
    // Once RMC is flowing, GGA only feeds the next RMC.
    expect(a.push(gga({ satellites: 3 }), 2000)).toBeNull();
    expect(a.push(rmc(), 2010)?.fix).toMatchObject({ fix: "2d", satellites: 3 });
  });

  it.each([
    ["RMC status V", [rmc({ valid: false })]],
    ["RMC without position", [rmc({ lat: null, lon: null })]],
    ["GGA quality 0 in the same epoch", [gga({ quality: 0 }), rmc()]],
  ])("reports no fix for %s", (_name, sentences) => {
    const a = new GpsFixAssembler();
    let last = null;
    for (const s of sentences) last = a.push(s, 1000);
    expect(last).toEqual({ fix: null, gpsTimeMs: expect.any(Number) });
  });

  it("does not merge GGA or VTG older than 2 s", () => {
    const a = new GpsFixAssembler();
    a.push(gga(), 0);
    a.push(vtg(), 0);
    expect(a.push(rmc({ speedKmh: null, courseDeg: null }), 2500)?.fix).toMatchObject({
      fix: "2d",
      satellites: null,
      hdop: null,
      speedKmh: null,
    });
  });

  it("takes speed and course from VTG when RMC has none", () => {
    const a = new GpsFixAssembler();
    a.push(vtg(), 0);
    expect(a.push(rmc({ speedKmh: null, courseDeg: null }), 10)?.fix).toMatchObject({
      speedKmh: 42,
      courseDeg: 80,
    });
    a.push(vtg({ valid: false }), 20);
    expect(a.push(rmc({ speedKmh: null, courseDeg: null }), 30)?.fix).toMatchObject({
      speedKmh: null,
      courseDeg: null,
    });
  });

  it("builds fixes from GGA + VTG for receivers that send no RMC (after 3 s without one)", () => {
    const a = new GpsFixAssembler();
    expect(a.push(gga(), 0)).toBeNull();
    expect(a.push(gga(), 2999)).toBeNull();
    a.push(vtg({ speedKmh: 30 }), 3000);
    expect(a.push(gga(), 3005)?.fix).toMatchObject({ speedKmh: 30, fix: "3d" });
    expect(a.push(gga({ quality: 0 }), 4005)).toEqual({ fix: null, gpsTimeMs: null });
    a.push(rmc(), 5000);
    expect(a.push(gga(), 5500)).toBeNull();
    // RMC stopped for more than 3 s: GGA takes over again.
    expect(a.push(gga(), 8001)?.fix).toMatchObject({ lat: 48.1 });
  });

  it("reset() forgets the receiver's sentence set (after a reconnect)", () => {
    const a = new GpsFixAssembler();
    a.push(gga(), 0);
    a.push(rmc(), 0);
    a.reset();
    expect(a.push(gga(), 10_000)).toBeNull();
    expect(a.push(rmc({ speedKmh: null, courseDeg: null }), 10_000)?.fix).toMatchObject({ satellites: 8 });
  });
});
