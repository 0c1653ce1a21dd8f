import { z } from "zod";
import type { JournalEntry, OpenEntry } from "../recorder/event-journal.js";

/**
 * What the review tab knows of one event, from its manifest (finalized) or, while it is still being
 * recorded or assembled, from its journal. Pure: parsed JSON in, a record out.
 */
export type ReviewState = "recording" | "assembling" | "finalized";

export interface ReviewSegment {
  /** Path inside the event directory (`segments/{camera}/…ts`). */
  file: string;
  startMs: number;
  durationMs: number;
  part: number;
}

export interface ReviewCamera {
  name: string;
  files: { file: string; bytes: number; durationSeconds: number; part: number }[];
  segments: ReviewSegment[];
}

export interface ReviewEvent {
  id: string;
  state: ReviewState;
  startMs: number;
  /** Trigger time (the manifest's startedAt). */
  startedAt: string;
  endMs: number | null;
  durationSeconds: number | null;
  trigger: { kind: string; id: string; reason: string };
  marks: { at: string; reason: string }[];
  bodycams: { id: string; confirmed: boolean; confirmedAt: string | null; latencyMs: number | null }[];
  upload: "local" | "pending" | "uploaded" | "verified" | "failed";
  category: string | null;
  caseNumber: string | null;
  critical: boolean;
  notes: string[];
  officer: string | null;
  cameras: ReviewCamera[];
  postRollSeconds: number | null;
  interrupted: string | null;
  /** Decisions and camera faults, in order. */
  timeline: { at: string; type: string; reason: string }[];
  gpsTrack: { at: string; lat: number; lon: number; speedKmh: number | null }[];
  signals: { at: string; name: string; value: number | string | null }[];
}

/** The list row: everything but the tracks. */
export type ReviewSummary = Omit<ReviewEvent, "timeline" | "gpsTrack" | "signals" | "cameras"> & {
  cameras: string[];
};

const origin = z.looseObject({ kind: z.string(), id: z.string() });

/** What review reads from `manifest.json` (every other key is ignored). */
export const reviewManifestSchema = z.looseObject({
  eventId: z.string().min(1),
  officer: z.string().nullable().optional(),
  startedAt: z.string(),
  endedAt: z.string().nullable().optional(),
  origin: origin.optional(),
  timeline: z
    .array(z.looseObject({ at: z.string(), type: z.string(), reason: z.string().default("") }))
    .default([]),
  postRollSeconds: z.number().optional(),
  cameras: z.array(
    z.looseObject({
      name: z.string(),
      files: z
        .array(
          z.looseObject({
            file: z.string(),
            bytes: z.number(),
            durationSeconds: z.number().default(0),
            part: z.number().default(1),
          }),
        )
        .default([]),
      segments: z
        .array(
          z.looseObject({
            file: z.string(),
            startedAt: z.string(),
            durationSeconds: z.number(),
            part: z.number().default(1),
          }),
        )
        .default([]),
    }),
  ),
  bodycams: z
    .array(
      z.looseObject({
        id: z.string(),
        confirmedAt: z.string().nullable(),
        latencyMs: z.number().nullable(),
      }),
    )
    .default([]),
  gpsTrack: z
    .array(
      z.looseObject({ at: z.string(), lat: z.number(), lon: z.number(), speedKmh: z.number().nullable() }),
    )
    .default([]),
  signals: z
    .array(
      z.looseObject({ at: z.string(), name: z.string(), value: z.union([z.number(), z.string(), z.null()]) }),
    )
    .default([]),
  category: z.string().optional(),
  caseNumber: z.string().optional(),
  notes: z.array(z.string()).optional(),
  critical: z.boolean().optional(),
  interrupted: z.string().optional(),
  offload: z.looseObject({ state: z.enum(["pending", "uploaded", "verified", "failed"]) }).optional(),
});

export type ReviewManifest = z.infer<typeof reviewManifestSchema>;

const iso = (ms: number) => new Date(ms).toISOString();

function ofKind<K extends JournalEntry["t"]>(
  entries: readonly JournalEntry[],
  t: K,
): Extract<JournalEntry, { t: K }>[] {
  return entries.filter((e): e is Extract<JournalEntry, { t: K }> => e.t === t);
}

export function fromManifest(m: ReviewManifest): ReviewEvent {
  const startMs = Date.parse(m.startedAt);
  const endMs = m.endedAt ? Date.parse(m.endedAt) : null;
  const start = m.timeline.find((t) => t.type === "event-start" || t.type === "after-the-fact");
  return {
    id: m.eventId,
    state: "finalized",
    startMs,
    startedAt: m.startedAt,
    endMs,
    durationSeconds: endMs === null ? null : Math.max(0, (endMs - startMs) / 1000),
    trigger: { kind: m.origin?.kind ?? "unknown", id: m.origin?.id ?? "", reason: start?.reason ?? "" },
    marks: m.timeline.filter((t) => t.type === "mark").map((t) => ({ at: t.at, reason: t.reason })),
    bodycams: m.bodycams.map((b) => ({
      id: b.id,
      confirmed: b.confirmedAt !== null,
      confirmedAt: b.confirmedAt,
      latencyMs: b.latencyMs,
    })),
    upload: m.offload?.state ?? "local",
    category: m.category ?? null,
    caseNumber: m.caseNumber ?? null,
    critical: m.critical === true,
    notes: m.notes ?? [],
    officer: m.officer ?? null,
    cameras: m.cameras.map((c) => ({
      name: c.name,
      files: c.files.map((f) => ({
        file: f.file,
        bytes: f.bytes,
        durationSeconds: f.durationSeconds,
        part: f.part,
      })),
      segments: c.segments.map((s) => ({
        file: s.file,
        startMs: Date.parse(s.startedAt),
        durationMs: Math.round(s.durationSeconds * 1000),
        part: s.part,
      })),
    })),
    postRollSeconds: m.postRollSeconds ?? null,
    interrupted: m.interrupted ?? null,
    timeline: m.timeline.map((t) => ({ at: t.at, type: t.type, reason: t.reason })),
    gpsTrack: m.gpsTrack.map((g) => ({ at: g.at, lat: g.lat, lon: g.lon, speedKmh: g.speedKmh })),
    signals: m.signals.map((s) => ({ at: s.at, name: s.name, value: s.value })),
  };
}

/** An event without a manifest: still recording (no `end` in its journal) or being assembled. */
export function fromJournal(open: OpenEntry, entries: readonly JournalEntry[]): ReviewEvent {
  const end = entries.find((e) => e.t === "end");
  const decisions = ofKind(entries, "decision");
  const endDecision = decisions.find((d) => d.type === "event-end");
  const endMs = end?.at ?? endDecision?.at ?? null;
  const stop = decisions.find((d) => d.type === "stop-requested");
  const bodycams = new Map<string, ReviewEvent["bodycams"][number]>();
  for (const e of ofKind(entries, "bodycam")) {
    bodycams.set(e.bodycamId, {
      id: e.bodycamId,
      confirmed: e.confirmedAt !== null,
      confirmedAt: e.confirmedAt === null ? null : iso(e.confirmedAt),
      latencyMs: e.latencyMs,
    });
  }
  const timeline: ReviewEvent["timeline"] = [];
  for (const e of entries) {
    if (e.t === "decision") timeline.push({ at: iso(e.at), type: e.type, reason: e.reason });
    else if (e.t === "fault")
      timeline.push({ at: iso(e.at), type: "camera-fault", reason: `${e.camera}: ${e.cause}` });
  }
  return {
    id: open.eventId,
    state: end ? "assembling" : "recording",
    startMs: open.triggerAt,
    startedAt: iso(open.triggerAt),
    endMs,
    durationSeconds: endMs === null ? null : Math.max(0, (endMs - open.triggerAt) / 1000),
    trigger: { kind: open.origin.kind, id: open.origin.id, reason: decisions[0]?.reason ?? "" },
    marks: decisions.filter((d) => d.type === "mark").map((d) => ({ at: iso(d.at), reason: d.reason })),
    bodycams: [...bodycams.values()],
    upload: "local",
    category: null,
    caseNumber: null,
    critical: false,
    notes: [],
    officer: open.officer,
    cameras: open.cameras.map((name) => ({
      name,
      files: [],
      segments: ofKind(entries, "segment")
        .filter((s) => s.camera === name)
        .map((s) => ({
          file: `segments/${name}/${s.file}`,
          startMs: s.startedAt,
          durationMs: s.durationMs,
          part: s.part,
        }))
        .sort((a, b) => a.startMs - b.startMs),
    })),
    postRollSeconds: stop?.postRollSeconds ?? null,
    interrupted: end?.interrupted ?? null,
    timeline,
    gpsTrack: ofKind(entries, "gps").map((g) => ({
      at: iso(g.at),
      lat: g.lat,
      lon: g.lon,
      speedKmh: g.speedKmh,
    })),
    signals: ofKind(entries, "signal").map((s) => ({ at: iso(s.at), name: s.name, value: s.value })),
  };
}

export function summarize(ev: ReviewEvent): ReviewSummary {
  const { timeline: _t, gpsTrack: _g, signals: _s, cameras, ...rest } = ev;
  return { ...rest, cameras: cameras.map((c) => c.name) };
}
