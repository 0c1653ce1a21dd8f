/**
 * NMEA 0183 sentences from a GPS receiver: RMC, GGA and VTG from any talker (GP, GN, GL, GA, GB, BD …).
 * Pure; never throws. A sentence is accepted only with a valid `*hh` checksum, which also rejects lines
 * cut short by a reconnect or a lost byte. Other well-formed sentences (GSV, GSA, TXT, proprietary)
 * are reported as `ignored`, malformed ones as `rejected` with the reason.
 */

export interface NmeaRmc {
  type: "RMC";
  talker: string;
  /** Status A and mode not N. */
  valid: boolean;
  /** UTC epoch ms from the time and date fields, null when either is empty. */
  utcMs: number | null;
  lat: number | null;
  lon: number | null;
  speedKmh: number | null;
  courseDeg: number | null;
}

export interface NmeaGga {
  type: "GGA";
  talker: string;
  /** 0 = no fix, 1 = GPS, 2 = DGPS, 4 = RTK, 5 = float RTK, 6 = dead reckoning … */
  quality: number;
  satellites: number | null;
  hdop: number | null;
  altitudeM: number | null;
  lat: number | null;
  lon: number | null;
}

export interface NmeaVtg {
  type: "VTG";
  talker: string;
  valid: boolean;
  courseDeg: number | null;
  speedKmh: number | null;
}

export type NmeaSentence = NmeaRmc | NmeaGga | NmeaVtg;

export type NmeaResult =
  | { kind: "sentence"; sentence: NmeaSentence }
  | { kind: "ignored"; type: string }
  | { kind: "rejected"; reason: string };

const KNOTS_TO_KMH = 1.852;
/** NMEA allows 82 characters; some receivers exceed it slightly. */
const MAX_SENTENCE = 120;

const reject = (reason: string): NmeaResult => ({ kind: "rejected", reason });

/** Parse one line (CR/LF already stripped or not). */
export function parseNmeaSentence(line: string): NmeaResult {
  const text = line.trim();
  if (text.length === 0) return reject("empty line");
  if (text.length > MAX_SENTENCE) return reject("overlong sentence");
  if (text[0] !== "$" && text[0] !== "!") return reject("no '$' start");
  const star = text.lastIndexOf("*");
  if (star < 0) return reject("missing checksum (truncated?)");
  const given = text.slice(star + 1);
  if (!/^[0-9A-Fa-f]{2}$/.test(given)) return reject("malformed checksum (truncated?)");
  const body = text.slice(1, star);
  const sum = nmeaChecksum(body);
  if (sum !== Number.parseInt(given, 16))
    return reject(`checksum mismatch (computed ${hex2(sum)}, got ${given})`);
  if (!/^[\x20-\x7e]*$/.test(body)) return reject("non-printable characters");
  const fields = body.split(",");
  const address = fields[0] ?? "";
  if (address.startsWith("P")) return { kind: "ignored", type: address };
  if (!/^[A-Z]{2}[A-Z]{3}$/.test(address)) return reject(`bad address field '${address}'`);
  const talker = address.slice(0, 2);
  const type = address.slice(2);
  switch (type) {
    case "RMC":
      return rmc(talker, fields);
    case "GGA":
      return gga(talker, fields);
    case "VTG":
      return vtg(talker, fields);
    default:
      return { kind: "ignored", type: address };
  }
}

/** XOR of the characters between `$` and `*`. */
export function nmeaChecksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return sum;
}

/** `$body*hh` (no line end): for simulators and the demo track. */
export function formatNmeaSentence(body: string): string {
  return `$${body}*${hex2(nmeaChecksum(body))}`;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}

/** A number field: null when empty, NaN when malformed. */
function num(field: string | undefined): number | null {
  if (field === undefined || field === "") return null;
  if (!/^-?\d+(\.\d+)?$/.test(field)) return Number.NaN;
  return Number(field);
}

/** `ddmm.mmmm` / `dddmm.mmmm` + hemisphere → signed degrees; null if empty, NaN if malformed. */
function coordinate(value: string | undefined, hemi: string | undefined, degDigits: 2 | 3): number | null {
  if (!value && !hemi) return null;
  const m = new RegExp(`^(\\d{${degDigits}})(\\d{2}(?:\\.\\d+)?)$`).exec(value ?? "");
  if (!m) return Number.NaN;
  const minutes = Number(m[2]);
  if (minutes >= 60) return Number.NaN;
  const deg = Number(m[1]) + minutes / 60;
  const limit = degDigits === 2 ? 90 : 180;
  if (deg > limit) return Number.NaN;
  if (degDigits === 2 && hemi !== "N" && hemi !== "S") return Number.NaN;
  if (degDigits === 3 && hemi !== "E" && hemi !== "W") return Number.NaN;
  return hemi === "S" || hemi === "W" ? -deg : deg;
}

/** `hhmmss(.sss)` + `ddmmyy` → UTC epoch ms. */
function utc(time: string | undefined, date: string | undefined): number | null {
  if (!time || !date) return null;
  const t = /^(\d{2})(\d{2})(\d{2}(?:\.\d+)?)$/.exec(time);
  const d = /^(\d{2})(\d{2})(\d{2})$/.exec(date);
  if (!t || !d) return Number.NaN;
  const [h, mi, s] = [Number(t[1]), Number(t[2]), Number(t[3])];
  const [day, mo, yy] = [Number(d[1]), Number(d[2]), Number(d[3])];
  if (h > 23 || mi > 59 || s >= 61 || day < 1 || day > 31 || mo < 1 || mo > 12) return Number.NaN;
  // Two-digit years: 80–99 → 19xx, else 20xx (receivers with GPS week rollover bugs show up as 19xx/2000s).
  const year = yy >= 80 ? 1900 + yy : 2000 + yy;
  return Date.UTC(year, mo - 1, day, h, mi, 0) + Math.round(s * 1000);
}

function bad(...values: (number | null)[]): boolean {
  return values.some((v) => v !== null && Number.isNaN(v));
}

function rmc(talker: string, f: string[]): NmeaResult {
  if (f.length < 10) return reject("RMC: too few fields (truncated?)");
  const status = f[2];
  if (status !== "A" && status !== "V") return reject("RMC: bad status");
  const utcMs = utc(f[1], f[9]);
  const lat = coordinate(f[3], f[4], 2);
  const lon = coordinate(f[5], f[6], 3);
  const knots = num(f[7]);
  const courseDeg = num(f[8]);
  if (bad(utcMs, lat, lon, knots, courseDeg)) return reject("RMC: malformed field");
  const mode = f[12];
  const valid = status === "A" && mode !== "N" && lat !== null && lon !== null;
  const speedKmh = knots === null ? null : knots * KNOTS_TO_KMH;
  return { kind: "sentence", sentence: { type: "RMC", talker, valid, utcMs, lat, lon, speedKmh, courseDeg } };
}

function gga(talker: string, f: string[]): NmeaResult {
  if (f.length < 10) return reject("GGA: too few fields (truncated?)");
  const quality = num(f[6]);
  if (quality === null || Number.isNaN(quality) || !Number.isInteger(quality) || quality > 9) {
    return reject("GGA: bad fix quality");
  }
  const lat = coordinate(f[2], f[3], 2);
  const lon = coordinate(f[4], f[5], 3);
  const satellites = num(f[7]);
  const hdop = num(f[8]);
  const altitudeM = num(f[9]);
  if (bad(lat, lon, satellites, hdop, altitudeM)) return reject("GGA: malformed field");
  return {
    kind: "sentence",
    sentence: { type: "GGA", talker, quality, satellites, hdop, altitudeM, lat, lon },
  };
}

function vtg(talker: string, f: string[]): NmeaResult {
  if (f.length < 9) return reject("VTG: too few fields (truncated?)");
  if (f[2] !== "T" && f[2] !== "") return reject("VTG: bad course reference");
  const courseDeg = num(f[1]);
  const knots = num(f[5]);
  const kmh = num(f[7]);
  if (bad(courseDeg, knots, kmh)) return reject("VTG: malformed field");
  const speedKmh = kmh ?? (knots === null ? null : knots * KNOTS_TO_KMH);
  const valid = f[9] !== "N" && speedKmh !== null;
  return { kind: "sentence", sentence: { type: "VTG", talker, valid, courseDeg, speedKmh } };
}
