import { describe, expect, it } from "vitest";
import type { BodycamSyncStatus } from "../bodycam/bodycam-sync-status.js";
import type { BodycamSummary } from "../bodycam/payloads.js";
import type { DaemonStatus } from "../control/daemon-status.js";
import { ActivityLog } from "./activity.js";
import { Readings } from "./readings.js";
import { type StatusViewInput, statusView } from "./status-view.js";

const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);
const EVENT = "unit12-20261126T135950Z";
const input = (status: DaemonStatus | null, over: Partial<StatusViewInput> = {}): StatusViewInput => ({
  status,
  now: NOW,
  activity: [],
  confirmations: new Map(),
  eventReason: null,
  ...over,
});

/** An idle daemon with no component wired in yet; each test adds what it needs. */
function daemon(over: Partial<DaemonStatus> = {}): DaemonStatus {
  return {
    v: 1,
    vehicle: "unit12",
    version: "0.1.0",
    at: new Date(NOW).toISOString(),
    uptimeSeconds: 60,
    state: "idle",
    eventId: null,
    recorder: "unknown",
    canBus: "unknown",
    health: {},
    alerts: [],
    components: {},
    ...over,
  };
}

function bodycamSync(bodycams: BodycamSummary[]): BodycamSyncStatus {
  return {
    connected: true,
    embeddedBroker: null,
    outboxPending: 0,
    state: "active",
    eventId: EVENT,
    bodycams,
    confirmations: [],
    droppedPayloads: { "too-large": 0, "too-deep": 0, "not-json": 0, "unsupported-version": 0, invalid: 0 },
    received: { echoes: 0, foreign: 0, unpaired: 0, received: 0, duplicates: 0 },
    latency: {
      triggerToPublishMs: { count: 0, p50: null, p99: null, max: null },
      publishToConfirmationMs: { count: 0, p50: null, p99: null, max: null },
    },
  };
}

const cam = (b: Partial<BodycamSummary> & { id: string }): BodycamSummary => ({
  online: true,
  recording: false,
  eventId: null,
  battery: null,
  confirmed: false,
  ...b,
});

const recording = daemon({
  state: "active",
  eventId: EVENT,
  startedAt: NOW - 10_000,
  origin: { kind: "lightbar", id: "lightbar" },
  canBus: "ok",
  health: {
    "recorder:front": { state: "ok", detail: undefined, at: "x" },
    "recorder:cabin": { state: "down", detail: "ffmpeg exited", at: "x" },
    can: { state: "ok", detail: "slcan /dev/ttyACM0", at: "x" },
    gps: { state: "degraded", detail: "no fix", at: "x" },
  },
  alerts: [
    { code: "camera-down", severity: "critical", message: "cabin is not recording", at: NOW - 5000 },
    {
      code: "weird",
      severity: "warning",
      message: "odd severity",
      at: Date.parse("2026-11-26T13:59:59.000Z"),
    },
  ],
  components: {
    "bodycam-sync": bodycamSync([
      cam({ id: "bc2", recording: true, eventId: EVENT, battery: 81, confirmed: true }),
      cam({ id: "bc1" }),
    ]),
  },
});

describe("statusView", () => {
  it("never shows RECORDING for an event the recorder has not open (issue 11, defect 4)", () => {
    const v = statusView(input({ ...recording, eventRecorded: false }));
    expect(v.recording.state).toBe("not-recorded");
    expect(v.recording.reason).toMatch(/not being recorded by the dash cameras/);
    expect(statusView(input({ ...recording, eventRecorded: true })).recording.state).toBe("active");
  });

  it("renders an unreadable status (no daemon answer) as unknown, not as an error", () => {
    const v = statusView(input(null));
    expect(v.recording).toEqual({
      state: "unknown",
      eventId: null,
      startedAt: null,
      postRollEndsAt: null,
      origin: null,
      reason: null,
    });
    expect(v).toMatchObject({ cameras: [], bodycams: [], alerts: [], disk: null, daemonOk: false });
    expect(v.bus).toEqual({ health: "unknown", detail: null, signals: [] });
  });

  it("shows a recording event with its origin, cameras, bus, GPS and disk", () => {
    const disk = { freeBytes: 5e9, totalBytes: 2e10 };
    const v = statusView(input(recording, { eventReason: "light bar on", disk }));
    expect(v.recording).toEqual({
      state: "active",
      eventId: "unit12-20261126T135950Z",
      startedAt: NOW - 10_000,
      postRollEndsAt: null,
      origin: "lightbar:lightbar",
      reason: "light bar on",
    });
    expect(v.cameras).toEqual([
      { name: "cabin", health: "down", detail: "ffmpeg exited" },
      { name: "front", health: "ok", detail: null },
    ]);
    expect(v.bus).toEqual({ health: "ok", detail: "slcan /dev/ttyACM0", signals: [] });
    expect(v.gps).toEqual({ health: "degraded", detail: "no fix", fix: null, speedKmh: null });
    expect(v.disk).toEqual({ freeBytes: 5e9, totalBytes: 2e10 });
  });

  it("lists the alerts newest first", () => {
    const v = statusView(input(recording));
    expect(v.alerts).toEqual([
      { code: "weird", severity: "warning", message: "odd severity", at: "2026-11-26T13:59:59.000Z" },
      {
        code: "camera-down",
        severity: "critical",
        message: "cabin is not recording",
        at: new Date(NOW - 5000).toISOString(),
      },
    ]);
  });

  it("marks a body cam confirmed when it reports recording the current event", () => {
    const v = statusView(input(recording));
    expect(v.bodycams).toEqual([
      {
        id: "bc1",
        name: null,
        online: true,
        recording: false,
        confirmed: false,
        missed: false,
        latencyMs: null,
        battery: null,
      },
      {
        id: "bc2",
        name: null,
        online: true,
        recording: true,
        confirmed: true,
        missed: false,
        latencyMs: null,
        battery: 81,
      },
    ]);
    const named = statusView(input(recording, { bodycamNames: { bc2: "Officer B-4711" } }));
    expect(named.bodycams.map((b) => b.name)).toEqual([null, "Officer B-4711"]);
  });

  it("prefers confirmations seen on the bus (with latency, or a timeout)", () => {
    const confirmations = new Map<string, number | null>([
      ["bc1", 140],
      ["bc2", null],
    ]);
    const v = statusView(input(recording, { confirmations }));
    expect(v.bodycams.map((b) => [b.id, b.confirmed, b.missed, b.latencyMs])).toEqual([
      ["bc1", true, false, 140],
      ["bc2", false, true, null],
    ]);
  });

  it("does not call a body cam recording an older event confirmed", () => {
    const status = daemon({
      ...recording,
      components: {
        "bodycam-sync": bodycamSync([cam({ id: "bc3", recording: true, eventId: "unit12-old" })]),
      },
    });
    expect(statusView(input(status)).bodycams.find((b) => b.id === "bc3")?.confirmed).toBe(false);
  });

  it("shows no event, reason or confirmation while idle", () => {
    const idle = daemon({ ...recording, state: "idle", eventId: null, startedAt: null });
    const v = statusView(input(idle, { eventReason: "stale", confirmations: new Map([["bc1", 10]]) }));
    expect(v.recording).toMatchObject({ state: "idle", eventId: null, startedAt: null, reason: null });
    expect(v.bodycams.every((b) => b.confirmed === null && b.latencyMs === null)).toBe(true);
    expect(v.daemonOk).toBe(true);
  });

  it("uses the measured disk space when no component reports one", () => {
    const v = statusView(input(daemon(), { disk: { freeBytes: 1, totalBytes: 4 } }));
    expect(v.disk).toEqual({ freeBytes: 1, totalBytes: 4 });
  });

  it("lists recent activity newest first", () => {
    const log = new ActivityLog(3);
    for (let i = 0; i < 5; i++) {
      log.alert({ code: `a${i}`, severity: "info", message: `m${i}`, at: NOW + i });
    }
    const v = statusView(input(daemon(), { activity: log.recent }));
    expect(v.recent.map((a) => a.text)).toEqual(["INFO a4: m4", "INFO a3: m3", "INFO a2: m2"]);
  });
});

describe("vehicle readings", () => {
  it("shows fresh CAN signals and the GPS fix, and hides readings older than 10 s", () => {
    const r = new Readings(2);
    r.signal({ name: "VehicleSpeed", value: 128.14, unit: "km/h", at: NOW - 500 });
    r.signal({ name: "EmergencyLights", value: "On", at: NOW - 20_000 });
    r.signal({ name: "Gear", value: "D", at: NOW }); // past the limit of 2 names: not kept
    r.signal({ name: "VehicleSpeed", value: 130, unit: "km/h", at: NOW - 100 }); // a known name is updated
    r.gpsFix({
      at: NOW - 1000,
      lat: 1,
      lon: 2,
      speedKmh: 97.4,
      courseDeg: null,
      fix: "3d",
      satellites: 9,
      hdop: 1,
    });
    const v = statusView(input(daemon(), { signals: r.signals, fix: r.gps }));
    expect(v.bus.signals).toEqual([{ name: "VehicleSpeed", value: "130 km/h" }]);
    expect(v.gps).toMatchObject({ fix: "3d, 9 satellites", speedKmh: 97.4 });
    const later = statusView(input(daemon(), { signals: r.signals, fix: r.gps, now: NOW + 11_000 }));
    expect(later.bus.signals).toEqual([]);
    expect(later.gps).toMatchObject({ fix: null, speedKmh: null });
  });

  it("leaves GPS-derived signals to the GPS row", () => {
    const v = statusView(
      input(daemon(), { signals: [{ name: "gps.speedKmh", value: 50, unit: "km/h", at: NOW }] }),
    );
    expect(v.bus.signals).toEqual([]);
  });
});

describe("ActivityLog", () => {
  const origin = { kind: "lightbar" as const, id: "lightbar" };

  it("follows the current event: its reason and the confirmations for it only", () => {
    let changes = 0;
    const log = new ActivityLog(20, () => changes++);
    log.decision({
      type: "event-start",
      eventId: "e1",
      origin,
      preEventSeconds: 30,
      at: NOW,
      reason: "light bar on",
      seq: 1,
    });
    log.confirmation({
      eventId: "e1",
      bodycamId: "bc1",
      commandedAt: NOW,
      confirmedAt: NOW + 120,
      latencyMs: 120,
    });
    log.confirmation({
      eventId: "e1",
      bodycamId: "bc2",
      commandedAt: NOW,
      confirmedAt: null,
      latencyMs: null,
    });
    expect(log.reasonFor("e1")).toBe("light bar on");
    expect([...log.confirmationsFor("e1")]).toEqual([
      ["bc1", 120],
      ["bc2", null],
    ]);
    expect(log.confirmationsFor("e0").size).toBe(0);
    expect(log.reasonFor("e0")).toBeNull();

    log.decision({ type: "event-end", eventId: "e1", at: NOW + 9000, reason: "post-roll over", seq: 2 });
    log.decision({
      type: "event-start",
      eventId: "e2",
      origin,
      preEventSeconds: 30,
      at: NOW + 10_000,
      reason: "again",
      seq: 3,
    });
    expect(log.confirmationsFor("e2").size).toBe(0);
    expect(log.recent.map((a) => a.kind)).toEqual(["start", "bodycam", "bodycam", "end", "start"]);
    expect(log.recent[2]?.text).toBe("Body cam bc2 did not confirm");
    expect(changes).toBe(5);
  });

  it("keeps ignored decisions and rollovers out of the list", () => {
    const log = new ActivityLog();
    log.decision({ type: "ignored", eventId: null, origin, at: NOW, reason: "duplicate", seq: 1 });
    log.decision({ type: "rollover", eventId: "e1", part: 2, at: NOW, reason: "60 min", seq: 2 });
    expect(log.recent).toEqual([]);
  });
});
