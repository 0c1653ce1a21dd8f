import { describe, expect, it } from "vitest";
import { epochFromTpv, GPSD_WATCH, parseGpsdLine } from "./gpsd-reports.js";

// Report examples from the gpsd_json(5) documentation.
const TPV =
  '{"class":"TPV","device":"/dev/pts/1","time":"2005-06-08T10:34:48.283Z","ept":0.005,"lat":46.498293369,"lon":7.567411672,"alt":1343.127,"eph":36.000,"epv":32.321,"track":10.3788,"speed":0.091,"climb":-0.085,"mode":3}';
const SKY =
  '{"class":"SKY","device":"/dev/pts/1","time":"2005-07-08T11:28:07.114Z","xdop":1.55,"hdop":1.24,"pdop":1.99,"satellites":[{"PRN":23,"el":6,"az":84,"ss":0,"used":false},{"PRN":28,"el":7,"az":160,"ss":0,"used":false},{"PRN":8,"el":66,"az":189,"ss":44,"used":true},{"PRN":29,"el":13,"az":273,"ss":0,"used":false},{"PRN":10,"el":51,"az":304,"ss":29,"used":true},{"PRN":4,"el":15,"az":199,"ss":36,"used":true},{"PRN":2,"el":34,"az":241,"ss":43,"used":true},{"PRN":27,"el":71,"az":76,"ss":43,"used":true}]}';

describe("gpsd reports", () => {
  it("asks for JSON watch mode", () => {
    expect(GPSD_WATCH).toBe('?WATCH={"enable":true,"json":true};\n');
  });

  it("reads SKY: HDOP and the satellites in use", () => {
    expect(parseGpsdLine(SKY)).toEqual({ kind: "sky", hdop: 1.24, satellites: 5 });
    expect(parseGpsdLine('{"class":"SKY","uSat":9,"nSat":14}')).toEqual({
      kind: "sky",
      hdop: null,
      satellites: 9,
    });
  });

  it("turns a 3-D TPV into a fix (m/s → km/h), with the SKY numbers", () => {
    const r = parseGpsdLine(TPV);
    expect(r.kind).toBe("tpv");
    if (r.kind !== "tpv") return;
    const e = epochFromTpv(r.tpv, { hdop: 1.24, satellites: 5 }, 1234);
    expect(e.gpsTimeMs).toBe(Date.UTC(2005, 5, 8, 10, 34, 48, 283));
    expect(e.fix).toMatchObject({
      at: 1234,
      lat: 46.498293369,
      lon: 7.567411672,
      courseDeg: 10.3788,
      fix: "3d",
      satellites: 5,
      hdop: 1.24,
    });
    expect(e.fix?.speedKmh).toBeCloseTo(0.3276, 6);
  });

  it.each([
    ['{"class":"TPV","mode":1,"time":"2026-11-26T10:00:00.000Z"}', Date.UTC(2026, 10, 26, 10)],
    ['{"class":"TPV","mode":0}', null],
    ['{"class":"TPV","mode":3}', null],
  ])("reports no fix for %s", (line, gpsTimeMs) => {
    const r = parseGpsdLine(line);
    expect(r.kind === "tpv" && epochFromTpv(r.tpv, null, 1)).toEqual({ fix: null, gpsTimeMs });
  });

  it("maps mode 2 to a 2-D fix and keeps unknown speed null", () => {
    const r = parseGpsdLine('{"class":"TPV","mode":2,"lat":1,"lon":2}');
    expect(r.kind === "tpv" && epochFromTpv(r.tpv, null, 1).fix).toMatchObject({
      fix: "2d",
      speedKmh: null,
      satellites: null,
    });
  });

  it.each([
    ["{not json", { kind: "invalid", reason: "not JSON" }],
    ['{"lat":1}', { kind: "invalid", reason: "no class" }],
    ['{"class":"TPV","mode":"3"}', { kind: "invalid", reason: expect.stringMatching(/^TPV: mode /) }],
    ['{"class":"TPV","mode":3,"lat":123}', { kind: "invalid", reason: expect.stringMatching(/^TPV: lat /) }],
    ['{"class":"DEVICES","devices":[]}', { kind: "other", class: "DEVICES" }],
    ['{"class":"VERSION","release":"3.25","proto_major":3}', { kind: "version", release: "3.25" }],
  ])("%s", (line, want) => {
    expect(parseGpsdLine(line)).toEqual(want);
  });
});
