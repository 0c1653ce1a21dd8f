import type { JournalEntry } from "./event-journal.js";

/**
 * The event's telemetry as a 1 Hz timed-text track: one cue per second of footage with the time (ISO 8601
 * UTC), speed, lights/siren, GPS position, the trigger and the officer, taken from what the journal logged
 * for the event (signals at the start and on every change, GPS fixes, decisions). Written into each MP4 as
 * a `mov_text` stream at assembly (no re-encode) and served to the review page as WebVTT. Pure.
 *
 * Cue times are media times of the camera's file: the file plays its segments back to back, so each
 * segment's stretch of wall-clock time is placed after the durations of the segments before it, and cut at
 * whole seconds; each piece shows the sample of its second. Seconds that fall into a gap between segments
 * have no cue.
 */
export interface TelemetryInput {
  signals: readonly { atMs: number; name: string; value: number | string | null }[];
  gps: readonly { atMs: number; lat: number; lon: number; speedKmh: number | null }[];
  /** Start and end decisions, marks: the latest one at or before a second is shown. */
  decisions: readonly { atMs: number; type: string; reason: string }[];
  officer: string | null;
}

export interface TelemetrySample {
  atMs: number;
  speedKmh: number | null;
  lights: string | null;
  siren: string | null;
  lat: number | null;
  lon: number | null;
  trigger: string | null;
  officer: string | null;
}

export interface Cue {
  startMs: number;
  endMs: number;
  text: string;
}

/** A GPS fix older than this is not shown as the position. */
const FIX_MAX_AGE_MS = 10_000;

/** The last entry at or before `at` in a list sorted by time (binary search). */
function latestAtOrBefore<T extends { atMs: number }>(list: readonly T[], at: number): T | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid]?.atMs ?? 0) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1] : undefined;
}

/** The input split by what is shown and sorted by time, so each second is a few binary searches. */
interface Prepared {
  speed: TelemetryInput["signals"];
  lights: TelemetryInput["signals"];
  siren: TelemetryInput["signals"];
  gps: TelemetryInput["gps"];
  decisions: TelemetryInput["decisions"];
  officer: string | null;
}

function prepare(input: TelemetryInput): Prepared {
  const byTime = <T extends { atMs: number }>(xs: readonly T[]) => [...xs].sort((a, b) => a.atMs - b.atMs);
  const signals = byTime(input.signals);
  return {
    speed: signals.filter((s) => /speed/i.test(s.name)),
    lights: signals.filter((s) => /light/i.test(s.name)),
    siren: signals.filter((s) => /siren/i.test(s.name)),
    gps: byTime(input.gps),
    decisions: byTime(input.decisions),
    officer: input.officer,
  };
}

function shown(value: number | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value === 0 ? "off" : value === 1 ? "ON" : String(value);
  return value;
}

export function sampleAt(input: TelemetryInput, atMs: number): TelemetrySample {
  return sample(prepare(input), atMs);
}

function sample(p: Prepared, atMs: number): TelemetrySample {
  const fix = latestAtOrBefore(p.gps, atMs);
  const fresh = fix && atMs - fix.atMs <= FIX_MAX_AGE_MS ? fix : undefined;
  const speedSignal = latestAtOrBefore(p.speed, atMs);
  const speed = fresh?.speedKmh ?? (typeof speedSignal?.value === "number" ? speedSignal.value : null);
  const decision = latestAtOrBefore(p.decisions, atMs) ?? p.decisions[0];
  return {
    atMs,
    speedKmh: speed === null ? null : Math.round(speed * 10) / 10,
    lights: shown(latestAtOrBefore(p.lights, atMs)?.value),
    siren: shown(latestAtOrBefore(p.siren, atMs)?.value),
    lat: fresh ? fresh.lat : null,
    lon: fresh ? fresh.lon : null,
    trigger: decision ? `${decision.type}: ${decision.reason}` : null,
    officer: p.officer,
  };
}

export function cueText(s: TelemetrySample): string {
  const time = new Date(s.atMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  const speed = s.speedKmh === null ? "speed --" : `${s.speedKmh} km/h`;
  const gps = s.lat === null || s.lon === null ? "GPS --" : `GPS ${s.lat.toFixed(5)},${s.lon.toFixed(5)}`;
  return [
    `${time} · ${speed} · lights ${s.lights ?? "--"} · siren ${s.siren ?? "--"}`,
    `${gps} · ${s.trigger ?? "--"} · officer ${s.officer ?? "--"}`,
  ].join("\n");
}

/** One cue per wall-clock second covered by `segments` (in file order), in media time of the file. */
export function telemetryCues(
  input: TelemetryInput,
  segments: readonly { startMs: number; durationMs: number }[],
): Cue[] {
  const prepared = prepare(input);
  const cues: Cue[] = [];
  let mediaStart = 0;
  for (const seg of segments) {
    const segEnd = seg.startMs + seg.durationMs;
    // the segment's pieces between whole seconds of wall-clock time, each shown with its second's sample
    for (let from = seg.startMs; from < segEnd; ) {
      const second = Math.floor(from / 1000) * 1000;
      const to = Math.min(segEnd, second + 1000);
      const start = mediaStart + (from - seg.startMs);
      const end = mediaStart + (to - seg.startMs);
      const last = cues.at(-1);
      const text = cueText(sample(prepared, second));
      // the same second continued in the next segment, back to back in the file: one cue
      if (last && last.text === text && Math.abs(last.endMs - start) < 1) last.endMs = end;
      else cues.push({ startMs: start, endMs: end, text });
      from = to;
    }
    mediaStart += seg.durationMs;
  }
  return cues;
}

function clock(ms: number, sep: "." | ","): string {
  const t = Math.max(0, Math.round(ms));
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = Math.floor((t % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(t % 1000, 3)}`;
}

export function toWebVtt(cues: readonly Cue[]): string {
  const body = cues.map(
    (c, i) => `${i + 1}\n${clock(c.startMs, ".")} --> ${clock(c.endMs, ".")}\n${c.text}\n`,
  );
  return `WEBVTT\n\n${body.join("\n")}`;
}

/** SubRip, the input ffmpeg turns into the MP4's `mov_text` track. */
export function toSrt(cues: readonly Cue[]): string {
  return cues
    .map((c, i) => `${i + 1}\n${clock(c.startMs, ",")} --> ${clock(c.endMs, ",")}\n${c.text}\n`)
    .join("\n");
}

/** The telemetry input from an event's journal entries. */
export function telemetryFromJournal(
  entries: readonly JournalEntry[],
  officer: string | null,
): TelemetryInput {
  const signals: TelemetryInput["signals"][number][] = [];
  const gps: TelemetryInput["gps"][number][] = [];
  const decisions: TelemetryInput["decisions"][number][] = [];
  for (const e of entries) {
    if (e.t === "signal") signals.push({ atMs: e.at, name: e.name, value: e.value });
    else if (e.t === "gps") gps.push({ atMs: e.at, lat: e.lat, lon: e.lon, speedKmh: e.speedKmh });
    else if (e.t === "decision") decisions.push({ atMs: e.at, type: e.type, reason: e.reason });
  }
  return { signals, gps, decisions, officer };
}
