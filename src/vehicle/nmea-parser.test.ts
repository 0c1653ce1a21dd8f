import { describe, expect, it } from "vitest";
import { parseNmeaSentence } from "./nmea-parser.js";

// Published example sentences (NMEA reference / gpsd docs, u-blox protocol spec); their checksums were
// checked independently of this code. Expected values worked out by hand from the fields.
describe("parseNmeaSentence: accepted", () => {
  it.each([
    [
      "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A",
      {
        type: "RMC",
        talker: "GP",
        valid: true,
        utcMs: Date.UTC(1994, 2, 23, 12, 35, 19),
        lat: 48 + 7.038 / 60,
        lon: 11 + 31 / 60,
        speedKmh: 22.4 * 1.852,
        courseDeg: 84.4,
      },
    ],
    [
      "$GPRMC,083559.00,A,4717.11437,N,00833.91522,E,0.004,77.52,091202,,,A*57",
      {
        type: "RMC",
        talker: "GP",
        valid: true,
        utcMs: Date.UTC(2002, 11, 9, 8, 35, 59),
        lat: 47 + 17.11437 / 60,
        lon: 8 + 33.91522 / 60,
        speedKmh: 0.004 * 1.852,
        courseDeg: 77.52,
      },
    ],
    [
      "$GNRMC,,V,,,,,,,,,,N*4D",
      {
        type: "RMC",
        talker: "GN",
        valid: false,
        utcMs: null,
        lat: null,
        lon: null,
        speedKmh: null,
        courseDeg: null,
      },
    ],
    [
      "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
      {
        type: "GGA",
        talker: "GP",
        quality: 1,
        satellites: 8,
        hdop: 0.9,
        altitudeM: 545.4,
        lat: 48 + 7.038 / 60,
        lon: 11 + 31 / 60,
      },
    ],
    [
      "$GPGGA,092725.00,4717.11399,N,00833.91590,E,1,08,1.01,499.6,M,48.0,M,,*5B",
      {
        type: "GGA",
        talker: "GP",
        quality: 1,
        satellites: 8,
        hdop: 1.01,
        altitudeM: 499.6,
        lat: 47 + 17.11399 / 60,
        lon: 8 + 33.9159 / 60,
      },
    ],
    [
      "$GPGGA,,,,,,0,00,99.99,,,,,,*48",
      {
        type: "GGA",
        talker: "GP",
        quality: 0,
        satellites: 0,
        hdop: 99.99,
        altitudeM: null,
        lat: null,
        lon: null,
      },
    ],
    [
      "$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K*48",
      { type: "VTG", talker: "GP", valid: true, courseDeg: 54.7, speedKmh: 10.2 },
    ],
    [
      "$GPVTG,77.52,T,,M,0.004,N,0.008,K,A*06",
      { type: "VTG", talker: "GP", valid: true, courseDeg: 77.52, speedKmh: 0.008 },
    ],
  ])("%s", (line, want) => {
    const r = parseNmeaSentence(`${line}\r\n`);
    expect(r.kind).toBe("sentence");
    if (r.kind !== "sentence") return;
    for (const [k, v] of Object.entries(want)) {
      const got = (r.sentence as unknown as Record<string, unknown>)[k];
      if (typeof v === "number") expect(got).toBeCloseTo(v, 9);
      else expect(got).toEqual(v);
    }
  });

  it("signs southern and western coordinates", () => {
    const line = withChecksum("GLRMC,000000,A,3351.000,S,15112.000,W,0,0,010125,,");
    const r = parseNmeaSentence(line);
    expect(r.kind === "sentence" && r.sentence).toMatchObject({
      talker: "GL",
      lat: -(33 + 51 / 60),
      lon: -(151 + 12 / 60),
    });
  });
});

/** Build a sentence with its checksum, for malformed-field cases (the checksum is not what is tested there). */
function withChecksum(body: string): string {
  let sum = 0;
  for (const c of body) sum ^= c.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, "0")}`;
}

describe("parseNmeaSentence: rejected or ignored, never thrown", () => {
  it.each([
    [
      "checksum error (one digit changed)",
      "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6B",
      "checksum mismatch (computed 6A, got 6B)",
    ],
    [
      "corrupted field, old checksum",
      "$GPGGA,123519,4807.038,N,01131.000,E,1,09,0.9,545.4,M,46.9,M,,*47",
      "checksum mismatch (computed 46, got 47)",
    ],
    ["truncated mid-sentence", "$GPRMC,123519,A,4807.038,N,0113", "missing checksum (truncated?)"],
    [
      "truncated in the checksum",
      "$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K*4",
      "malformed checksum (truncated?)",
    ],
    ["tail of a sentence after a reconnect", "1.000,E,022.4,084.4,230394,003.1,W*6A", "no '$' start"],
    ["empty", "", "empty line"],
    ["overlong", `$GPTXT,${"x".repeat(200)}*00`, "overlong sentence"],
    ["bad address", withChecksum("GP1RMC,1"), "bad address field 'GP1RMC'"],
    [
      "RMC with too few fields",
      withChecksum("GPRMC,123519,A,4807.038,N"),
      "RMC: too few fields (truncated?)",
    ],
    [
      "RMC with bad status",
      withChecksum("GPRMC,123519,X,4807.038,N,01131.000,E,1,1,230394,,"),
      "RMC: bad status",
    ],
    [
      "RMC with minutes ≥ 60",
      withChecksum("GPRMC,123519,A,4867.038,N,01131.000,E,1,1,230394,,"),
      "RMC: malformed field",
    ],
    [
      "RMC with a bad date",
      withChecksum("GPRMC,123519,A,4807.038,N,01131.000,E,1,1,331394,,"),
      "RMC: malformed field",
    ],
    [
      "RMC with letters in speed",
      withChecksum("GPRMC,123519,A,4807.038,N,01131.000,E,fast,1,230394,,"),
      "RMC: malformed field",
    ],
    [
      "GGA with a bad quality",
      withChecksum("GPGGA,123519,4807.038,N,01131.000,E,x,08,0.9,545.4,M,46.9,M,,"),
      "GGA: bad fix quality",
    ],
    [
      "GGA with a bad hemisphere",
      withChecksum("GPGGA,123519,4807.038,Q,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
      "GGA: malformed field",
    ],
    ["VTG with too few fields", withChecksum("GPVTG,054.7,T"), "VTG: too few fields (truncated?)"],
    ["binary noise", "$\u0001\u0002*03", "non-printable characters"],
  ])("%s", (_name, line, reason) => {
    expect(parseNmeaSentence(line)).toEqual({ kind: "rejected", reason });
  });

  it.each([
    ["$GPGSV,3,1,11,03,03,111,00,04,15,270,00,06,01,010,00,13,06,292,00*74", "GPGSV"],
    ["$GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1*39", "GPGSA"],
    [withChecksum("PUBX,00,081350.00"), "PUBX"],
  ])("ignores %s", (line, type) => {
    expect(parseNmeaSentence(line)).toEqual({ kind: "ignored", type });
  });
});
