import { z } from "zod";
import type { GpsFix } from "../core/event-bus.js";
import type { GpsEpoch } from "./gps-fix.js";

/** Sent after connecting: stream JSON reports (TPV, SKY …) for all devices. */
export const GPSD_WATCH = '?WATCH={"enable":true,"json":true};\n';

const finite = z.number().finite();

/** Time-position-velocity report. gpsd omits fields it does not know. */
const tpvSchema = z.looseObject({
  class: z.literal("TPV"),
  device: z.string().optional(),
  /** 0 unknown, 1 no fix, 2 2-D, 3 3-D. */
  mode: z.number().int().min(0).max(3),
  time: z.string().optional(),
  lat: finite.min(-90).max(90).optional(),
  lon: finite.min(-180).max(180).optional(),
  /** m/s */
  speed: finite.min(0).optional(),
  track: finite.optional(),
});

const skySchema = z.looseObject({
  class: z.literal("SKY"),
  hdop: finite.optional(),
  uSat: z.number().int().min(0).optional(),
  satellites: z.array(z.looseObject({ used: z.boolean().optional() })).optional(),
});

const versionSchema = z.looseObject({ class: z.literal("VERSION"), release: z.string().optional() });

const reportSchema = z.discriminatedUnion("class", [tpvSchema, skySchema, versionSchema]);

export type GpsdReport =
  | { kind: "tpv"; tpv: z.infer<typeof tpvSchema> }
  | { kind: "sky"; hdop: number | null; satellites: number | null }
  | { kind: "version"; release: string | null }
  | { kind: "other"; class: string }
  | { kind: "invalid"; reason: string };

const classOnly = z.looseObject({ class: z.string() });

/** Parse one line of gpsd JSON. Never throws. */
export function parseGpsdLine(line: string): GpsdReport {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { kind: "invalid", reason: "not JSON" };
  }
  const head = classOnly.safeParse(json);
  if (!head.success) return { kind: "invalid", reason: "no class" };
  if (!["TPV", "SKY", "VERSION"].includes(head.data.class)) return { kind: "other", class: head.data.class };
  const r = reportSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    return {
      kind: "invalid",
      reason: `${head.data.class}: ${issue?.path.join(".") || "report"} ${issue?.message ?? ""}`.trim(),
    };
  }
  const d = r.data;
  if (d.class === "TPV") return { kind: "tpv", tpv: d };
  if (d.class === "VERSION") return { kind: "version", release: d.release ?? null };
  const used = d.uSat ?? d.satellites?.filter((s) => s.used === true).length ?? null;
  return { kind: "sky", hdop: d.hdop ?? null, satellites: used };
}

/** A TPV report (with the latest SKY numbers) as a GpsEpoch. */
export function epochFromTpv(
  tpv: z.infer<typeof tpvSchema>,
  sky: { hdop: number | null; satellites: number | null } | null,
  nowMs: number,
): GpsEpoch {
  const parsed = tpv.time ? Date.parse(tpv.time) : Number.NaN;
  const gpsTimeMs = Number.isFinite(parsed) ? parsed : null;
  if (tpv.mode < 2 || tpv.lat === undefined || tpv.lon === undefined) return { fix: null, gpsTimeMs };
  const fix: GpsFix = {
    at: nowMs,
    lat: tpv.lat,
    lon: tpv.lon,
    speedKmh: tpv.speed === undefined ? null : tpv.speed * 3.6,
    courseDeg: tpv.track ?? null,
    fix: tpv.mode === 3 ? "3d" : "2d",
    satellites: sky?.satellites ?? null,
    hdop: sky?.hdop ?? null,
  };
  return { fix, gpsTimeMs };
}
