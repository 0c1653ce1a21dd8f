import type { DaemonStatus } from "../control/daemon-status.js";
import { isoTime } from "../core/clock.js";
import type { GpsFix, SignalValue } from "../core/event-bus.js";
import type { Activity } from "./activity.js";

/**
 * What the status page shows, derived from the daemon's typed `DaemonStatus` plus what the page itself
 * saw on the bus. Pure: a component that is not wired in (or a status that could not be read) renders
 * as "unknown", never as an error, so the page works with any subset of components.
 */
export type Health = "ok" | "degraded" | "down" | "unknown";

export interface CameraView {
  name: string;
  health: Health;
  detail: string | null;
}

export interface BodycamView {
  id: string;
  /** The paired cam's human name from the config (officer, device label). */
  name: string | null;
  online: boolean | null;
  recording: boolean | null;
  /** Reported recording the current event (null when idle). */
  confirmed: boolean | null;
  /** Did not confirm within the timeout (reported on the bus; it may still confirm late). */
  missed: boolean;
  latencyMs: number | null;
  battery: number | null;
}

export interface AlertView {
  code: string;
  severity: "info" | "warning" | "critical";
  message: string;
  at: string | null;
}

export interface StatusView {
  v: 1;
  vehicle: { id: string | null; name: string | null };
  /** Server time, epoch ms: the page computes elapsed time against it (device clocks drift). */
  now: number;
  recording: {
    /** `not-recorded`: the engine has an event, but the dash recorder has none open for it (refused). */
    state: "idle" | "active" | "post-roll" | "not-recorded" | "unknown";
    eventId: string | null;
    startedAt: number | null;
    postRollEndsAt: number | null;
    origin: string | null;
    reason: string | null;
  };
  cameras: CameraView[];
  bodycams: BodycamView[];
  bus: { health: Health; detail: string | null; signals: { name: string; value: string }[] };
  /** The daemon's link to the in-car MQTT broker (body cams are reached through it). */
  mqtt: { health: Health; detail: string | null };
  gps: { health: Health; detail: string | null; fix: string | null; speedKmh: number | null };
  disk: { freeBytes: number; totalBytes: number } | null;
  alerts: AlertView[];
  recent: Activity[];
  daemonOk: boolean;
}

function healthOf(health: DaemonStatus["health"], name: string): { health: Health; detail: string | null } {
  const h = health[name];
  return h ? { health: h.state, detail: h.detail ?? null } : { health: "unknown", detail: null };
}

export interface StatusViewInput {
  /** The daemon's status; null when it could not be read. */
  status: DaemonStatus | null;
  now: number;
  vehicleName?: string | undefined;
  /** Paired body cams' names from the config, by id. */
  bodycamNames?: Readonly<Record<string, string>> | undefined;
  /** What the page saw on the bus, newest last. */
  activity: readonly Activity[];
  /** Confirmations seen on the bus for the current event: body-cam id → latency (null = unconfirmed). */
  confirmations: ReadonlyMap<string, number | null>;
  /** The reason of the decision that started (or resumed) the current event, if the page saw it. */
  eventReason: string | null;
  disk?: { freeBytes: number; totalBytes: number } | null;
  /** Latest decoded vehicle signals and GPS fix seen on the bus (older than `staleMs` are dropped). */
  signals?: readonly SignalValue[];
  fix?: GpsFix | null;
}

/** Readings older than this are not shown (a silent bus must not look live). */
const STALE_MS = 10_000;

function signalText(s: SignalValue): string {
  if (s.value === null) return "?";
  const v = typeof s.value === "number" ? String(Math.round(s.value * 10) / 10) : s.value;
  return s.unit ? `${v} ${s.unit}` : v;
}

export function statusView(input: StatusViewInput): StatusView {
  const s = input.status;
  const health = s?.health ?? {};
  const engineState = s?.state ?? "unknown";
  const eventId = s?.eventId ?? null;
  const origin = s?.origin ?? null;
  const recording = engineState === "active" || engineState === "post-roll";
  // Never RECORDING without an open event in the recorder.
  const state = recording && s?.eventRecorded === false ? "not-recorded" : engineState;

  const cameras: CameraView[] = Object.keys(health)
    .filter((k) => k.startsWith("recorder:"))
    .sort()
    .map((k) => ({ name: k.slice("recorder:".length), ...healthOf(health, k) }));

  const bodycams: BodycamView[] = (s?.components["bodycam-sync"]?.bodycams ?? [])
    .map((b) => {
      const seen = input.confirmations.has(b.id) ? input.confirmations.get(b.id) : undefined;
      const confirmed = !recording ? null : seen !== undefined ? seen !== null : b.confirmed;
      return {
        id: b.id,
        name: input.bodycamNames?.[b.id] ?? null,
        online: b.online,
        recording: b.recording,
        confirmed,
        missed: recording && seen === null,
        latencyMs: recording ? (seen ?? null) : null,
        battery: b.battery,
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));

  const fresh = (at: number) => input.now - at <= STALE_MS;
  const fix = input.fix && fresh(input.fix.at) ? input.fix : null;
  const signals = (input.signals ?? [])
    .filter((x) => fresh(x.at) && !x.name.startsWith("gps."))
    .map((x) => ({ name: x.name, value: signalText(x) }));
  const alerts = (s?.alerts ?? [])
    .map((a) => ({ code: a.code, severity: a.severity, message: a.message, at: isoTime(a.at) }))
    .reverse();

  return {
    v: 1,
    vehicle: { id: s?.vehicle ?? null, name: input.vehicleName ?? null },
    now: input.now,
    recording: {
      state,
      eventId: recording ? eventId : null,
      startedAt: recording ? (s?.startedAt ?? null) : null,
      postRollEndsAt: state === "post-roll" ? (s?.postRollEndsAt ?? null) : null,
      origin: recording && origin ? `${origin.kind}:${origin.id}` : null,
      reason:
        state === "not-recorded"
          ? `event ${eventId ?? "?"} is not being recorded by the dash cameras (see alerts)`
          : recording
            ? input.eventReason
            : null,
    },
    cameras,
    bodycams,
    bus: {
      health: s?.canBus ?? "unknown",
      detail: healthOf(health, "can").detail,
      signals,
    },
    mqtt: healthOf(health, "mqtt"),
    gps: {
      ...healthOf(health, "gps"),
      fix: fix ? `${fix.fix}${fix.satellites === null ? "" : `, ${fix.satellites} satellites`}` : null,
      speedKmh: fix?.speedKmh ?? null,
    },
    disk: input.disk ?? null,
    alerts,
    recent: [...input.activity].reverse(),
    daemonOk: s !== null,
  };
}
