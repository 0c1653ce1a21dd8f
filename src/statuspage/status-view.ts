import { z } from "zod";
import type { GpsFix, SignalValue } from "../core/bus.js";
import type { Activity } from "./activity.js";

/**
 * What the status page shows, derived from the daemon's `status()` snapshot (which grows as components
 * are wired in) plus what the page itself saw on the bus. Pure and defensive: a missing or malformed
 * field renders as "unknown", never as an error, so the page works with any subset of components.
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

const healthSchema = z.enum(["ok", "degraded", "down"]);
const healthEntrySchema = z.object({ state: healthSchema, detail: z.string().optional() });
const originSchema = z.object({ kind: z.string(), id: z.string() });
const bodycamSchema = z.object({
  id: z.string(),
  online: z.boolean().optional(),
  recording: z.boolean().optional(),
  eventId: z.string().nullable().optional(),
  battery: z.number().nullable().optional(),
  confirmed: z.boolean().optional(),
  latencyMs: z.number().nullable().optional(),
});
const alertSchema = z.object({
  code: z.string(),
  severity: z.enum(["info", "warning", "critical"]).catch("warning"),
  message: z.string(),
  at: z.union([z.number(), z.string()]).optional(),
});
const diskSchema = z.object({ freeBytes: z.number().nonnegative(), totalBytes: z.number().positive() });

function pick<T>(schema: z.ZodType<T>, value: unknown): T | null {
  const r = schema.safeParse(value);
  return r.success ? r.data : null;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function healthOf(health: Record<string, unknown>, name: string): { health: Health; detail: string | null } {
  const h = pick(healthEntrySchema, health[name]);
  return h ? { health: h.state, detail: h.detail ?? null } : { health: "unknown", detail: null };
}

/** Body cams as reported by the daemon (`bodycams` at the top level or in any component's status). */
function reportedBodycams(status: Record<string, unknown>): z.infer<typeof bodycamSchema>[] {
  const sources = [
    status.bodycams,
    ...Object.values(record(status.components)).map((c) => record(c).bodycams),
  ];
  const byId = new Map<string, z.infer<typeof bodycamSchema>>();
  for (const source of sources) {
    for (const item of list(source)) {
      const cam = pick(bodycamSchema, item);
      if (cam) byId.set(cam.id, { ...byId.get(cam.id), ...cam });
    }
  }
  return [...byId.values()];
}

function diskOf(status: Record<string, unknown>, measured: StatusViewInput["disk"]): StatusView["disk"] {
  for (const source of [
    status.disk,
    ...Object.values(record(status.components)).map((c) => record(c).disk),
  ]) {
    const d = pick(diskSchema, source);
    if (d) return d;
  }
  return measured ?? null;
}

function timeOf(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value).toISOString();
  return typeof value === "string" ? value : null;
}

export interface StatusViewInput {
  status: Record<string, unknown>;
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
  const health = record(s.health);
  const engineState = pick(z.enum(["idle", "active", "post-roll"]), s.state) ?? "unknown";
  const eventId = pick(z.string(), s.eventId);
  const origin = pick(originSchema, s.origin);
  const recording = engineState === "active" || engineState === "post-roll";
  // Never RECORDING without an open event in the recorder.
  const state = recording && s.eventRecorded === false ? "not-recorded" : engineState;

  const cameras: CameraView[] = Object.keys(health)
    .filter((k) => k.startsWith("recorder:"))
    .sort()
    .map((k) => ({ name: k.slice("recorder:".length), ...healthOf(health, k) }));

  const bodycams: BodycamView[] = reportedBodycams(s)
    .map((b) => {
      const seen = input.confirmations.has(b.id) ? input.confirmations.get(b.id) : undefined;
      const confirmed = !recording
        ? null
        : seen !== undefined
          ? seen !== null
          : (b.confirmed ?? (b.recording === true && b.eventId === eventId));
      return {
        id: b.id,
        name: input.bodycamNames?.[b.id] ?? null,
        online: b.online ?? null,
        recording: b.recording ?? null,
        confirmed,
        missed: recording && seen === null,
        latencyMs: recording ? (seen ?? b.latencyMs ?? null) : null,
        battery: b.battery ?? null,
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));

  const fresh = (at: number) => input.now - at <= STALE_MS;
  const fix = input.fix && fresh(input.fix.at) ? input.fix : null;
  const signals = (input.signals ?? [])
    .filter((x) => fresh(x.at) && !x.name.startsWith("gps."))
    .map((x) => ({ name: x.name, value: signalText(x) }));
  const alerts = list(s.alerts)
    .map((a) => pick(alertSchema, a))
    .filter((a): a is z.infer<typeof alertSchema> => a !== null)
    .map((a) => ({ code: a.code, severity: a.severity, message: a.message, at: timeOf(a.at) }))
    .reverse();

  return {
    v: 1,
    vehicle: { id: pick(z.string(), s.vehicle), name: input.vehicleName ?? null },
    now: input.now,
    recording: {
      state,
      eventId: recording ? eventId : null,
      startedAt: recording ? pick(z.number(), s.startedAt) : null,
      postRollEndsAt: state === "post-roll" ? pick(z.number(), s.postRollEndsAt) : null,
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
      health: pick(healthSchema, s.bus) ?? healthOf(health, "can").health,
      detail: healthOf(health, "can").detail,
      signals,
    },
    mqtt: healthOf(health, "mqtt"),
    gps: {
      ...healthOf(health, "gps"),
      fix: fix ? `${fix.fix}${fix.satellites === null ? "" : `, ${fix.satellites} satellites`}` : null,
      speedKmh: fix?.speedKmh ?? null,
    },
    disk: diskOf(s, input.disk),
    alerts,
    recent: [...input.activity].reverse(),
    daemonOk: state !== "unknown",
  };
}
