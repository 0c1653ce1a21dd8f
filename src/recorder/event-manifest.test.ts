import { describe, expect, it } from "vitest";
import type { JournalEntry, OpenEntry } from "./event-journal.js";
import { buildManifest, type HashedSegment } from "./event-manifest.js";

const T = Date.UTC(2026, 10, 26, 14, 22, 33, 0);
const open: OpenEntry = {
  t: "open",
  at: T,
  eventId: "20261126T142233Z-unit12-0001",
  origin: { kind: "lightbar", id: "lightbar" },
  triggerAt: T,
  preEventSeconds: 2,
  preEventAudio: false,
  segmentSeconds: 1,
  vehicle: { id: "unit12", name: "Car 12" },
  officer: "badge-7",
  cameras: ["front", "rear"],
  source: "activation",
};
const seg = (camera: string, i: number, extra: Partial<HashedSegment> = {}): HashedSegment => ({
  camera,
  file: `segments/${camera}/r-${i}.ts`,
  startedAt: T - 2500 + i * 1000,
  durationMs: 1000,
  part: 1,
  preEvent: i < 3,
  muted: i < 3,
  sha256: "a".repeat(64),
  bytes: 1000,
  ...extra,
});
const entries: JournalEntry[] = [
  open,
  {
    t: "decision",
    at: T,
    type: "event-start",
    reason: "lights on",
    seq: 4,
    origin: { kind: "lightbar", id: "lightbar" },
  },
  { t: "gps", at: T + 1000, lat: 48.1, lon: 11.5, speedKmh: 52 },
  { t: "signal", at: T + 1100, name: "speed", value: 52 },
  { t: "fault", camera: "rear", at: T + 2100, cause: "ffmpeg stalled: no segment completed for 3.0s" },
  { t: "bodycam", bodycamId: "bc1", commandedAt: T + 10, confirmedAt: T + 410, latencyMs: 400 },
  { t: "bodycam", bodycamId: "bc2", commandedAt: T + 10, confirmedAt: null, latencyMs: null },
  {
    t: "decision",
    at: T + 3000,
    type: "stop-requested",
    reason: "button",
    seq: 5,
    origin: null,
    postRollSeconds: 2,
  },
  { t: "decision", at: T + 5000, type: "event-end", reason: "post-roll ended", seq: 6 },
];

describe("buildManifest", () => {
  const front = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => seg("front", i));
  const rear = [0, 1, 2, 3, 6, 7].map((i) => seg("rear", i));
  const m = buildManifest({
    open,
    entries,
    segments: [...rear, ...front],
    files: [
      {
        camera: "front",
        file: "front.mp4",
        part: 1,
        sha256: "b".repeat(64),
        bytes: 8000,
        durationSeconds: 8.0004,
      },
      { camera: "rear", file: "rear.mp4", part: 1, sha256: "c".repeat(64), bytes: 6000, durationSeconds: 6 },
    ],
    endAt: T + 5000,
    version: "1.2.3",
  });

  it("carries identity, software and the requested and covered pre-event", () => {
    expect(m).toMatchObject({
      manifestVersion: 1,
      eventId: open.eventId,
      vehicle: { id: "unit12", name: "Car 12" },
      officer: "badge-7",
      software: { name: "camsync", version: "1.2.3" },
      startedAt: "2026-11-26T14:22:33.000Z",
      endedAt: "2026-11-26T14:22:38.000Z",
      origin: { kind: "lightbar", id: "lightbar" },
      preEvent: { requestedSeconds: 2, coveredSeconds: 2.5, audio: "muted" },
      postRollSeconds: 2,
    });
    expect(m.source).toBeUndefined();
    expect(m.interrupted).toBeUndefined();
  });

  it("timeline: decisions and camera faults, in order", () => {
    expect(m.timeline.map((e) => e.type)).toEqual([
      "event-start",
      "camera-fault",
      "stop-requested",
      "event-end",
    ]);
    expect(m.timeline[0]).toMatchObject({ seq: 4, origin: { kind: "lightbar", id: "lightbar" } });
  });

  it("per camera: files, every segment with hash and audio state, and gaps with their cause", () => {
    const f = m.cameras.find((c) => c.name === "front");
    const r = m.cameras.find((c) => c.name === "rear");
    expect(f?.gaps).toEqual([]);
    expect(f?.files).toEqual([
      { file: "front.mp4", sha256: "b".repeat(64), bytes: 8000, durationSeconds: 8, part: 1 },
    ]);
    expect(f?.segments).toHaveLength(8);
    expect(f?.segments[0]).toMatchObject({
      startedAt: "2026-11-26T14:22:30.500Z",
      preEvent: true,
      audio: "muted",
    });
    expect(f?.segments[5]).toMatchObject({ preEvent: false, audio: "kept" });
    expect(r?.gaps).toEqual([
      {
        from: "2026-11-26T14:22:34.500Z",
        to: "2026-11-26T14:22:36.500Z",
        seconds: 2,
        cause: "ffmpeg stalled: no segment completed for 3.0s",
      },
    ]);
    expect(m.cameras.map((c) => c.name)).toEqual(["front", "rear"]);
  });

  it("body cams with latency, unconfirmed ones flagged; GPS track and signals", () => {
    expect(m.bodycams).toEqual([
      {
        id: "bc1",
        commandedAt: "2026-11-26T14:22:33.010Z",
        confirmedAt: "2026-11-26T14:22:33.410Z",
        latencyMs: 400,
        initiated: false,
        alerts: [],
      },
      {
        id: "bc2",
        commandedAt: "2026-11-26T14:22:33.010Z",
        confirmedAt: null,
        latencyMs: null,
        initiated: false,
        alerts: ["did not confirm recording"],
      },
    ]);
    expect(m.gpsTrack).toEqual([{ at: "2026-11-26T14:22:34.000Z", lat: 48.1, lon: 11.5, speedKmh: 52 }]);
    expect(m.signals).toEqual([{ at: "2026-11-26T14:22:34.100Z", name: "speed", value: 52 }]);
  });

  it("an interrupted, after-the-fact event says so", () => {
    const m2 = buildManifest({
      open: { ...open, source: "after-the-fact" },
      entries: [],
      segments: [],
      files: [],
      endAt: T,
      interrupted: "power lost",
      version: "1",
    });
    expect(m2.source).toBe("after-the-fact");
    expect(m2.interrupted).toBe("power lost");
    expect(m2.preEvent.coveredSeconds).toBe(0);
    expect(m2.cameras.every((c) => c.gaps.length === 1)).toBe(true);
  });
});
