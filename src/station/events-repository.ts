import { type Queryable, type Row, toIso, toIsoOrNull, toNumber, toStringOrNull } from "./db.js";
import type { EventFacts } from "./manifest-checks.js";

/** Every query on car events, their files and tags (one repository per aggregate; nothing else touches SQL). */
export interface EventFileRecord {
  file: string;
  camera: string;
  objectKey: string;
  sha256: string;
  bytes: number;
  durationSeconds: number;
  part: number;
}

export interface EventRecord extends EventFacts {
  keyPrefix: string;
  manifestSha256: string;
  manifest: Record<string, unknown>;
  auditState: "verified" | "not-uploaded";
  bytes: number;
  files: EventFileRecord[];
}

export interface EventSummary {
  eventId: string;
  vehicleId: string;
  officer: string | null;
  startedAt: string;
  endedAt: string | null;
  trigger: { kind: string; id: string };
  category: string | null;
  caseNumber: string | null;
  critical: boolean;
  notes: string;
  cameras: string[];
  clipCount: number;
  bytes: number;
}

export interface EventDetail extends EventSummary {
  clockOffsetMs: number;
  preEventSeconds: number;
  manifestSha256: string;
  auditState: "verified" | "not-uploaded";
  keyPrefix: string;
  manifest: Record<string, unknown>;
}

export interface SearchQuery {
  from?: string | undefined;
  to?: string | undefined;
  vehicle?: string | undefined;
  officer?: string | undefined;
  trigger?: string | undefined;
  category?: string | undefined;
  caseNumber?: string | undefined;
  text?: string | undefined;
  limit: number;
  /** Keyset cursor from the previous page. */
  after?: { startedAt: string; eventId: string } | undefined;
}

const SUMMARY_COLUMNS = `e.event_id, e.vehicle_id, e.officer_id, e.started_at, e.ended_at, e.trigger_kind,
  e.trigger_id, e.category, e.critical, e.notes, e.bytes, i.case_number,
  ARRAY(SELECT DISTINCT f.camera FROM files f WHERE f.event_id = e.event_id ORDER BY 1) AS cameras,
  (SELECT count(*) FROM incident_clips ic WHERE ic.incident_id = e.event_id AND ic.unlinked_at IS NULL) AS clip_count`;

function summaryFrom(r: Row): EventSummary {
  return {
    eventId: String(r.event_id),
    vehicleId: String(r.vehicle_id),
    officer: toStringOrNull(r.officer_id),
    startedAt: toIso(r.started_at),
    endedAt: toIsoOrNull(r.ended_at),
    trigger: { kind: String(r.trigger_kind), id: String(r.trigger_id) },
    category: toStringOrNull(r.category),
    caseNumber: toStringOrNull(r.case_number),
    critical: r.critical === true,
    notes: String(r.notes ?? ""),
    cameras: Array.isArray(r.cameras) ? r.cameras.map(String) : [],
    clipCount: toNumber(r.clip_count ?? 0),
    bytes: toNumber(r.bytes ?? 0),
  };
}

export class EventsRepository {
  constructor(private readonly db: Queryable) {}

  /** Insert or replace an event (a re-ingested or amended manifest), with its files and manifest tags. */
  async upsert(e: EventRecord): Promise<void> {
    const q = this.db;
    await q.query(
      `INSERT INTO vehicles (id, name, agency) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name = coalesce(EXCLUDED.name, vehicles.name), agency = coalesce(EXCLUDED.agency, vehicles.agency)`,
      [e.vehicleId, e.vehicleName, e.agency],
    );
    if (e.officer) await q.query("INSERT INTO officers (id) VALUES ($1) ON CONFLICT DO NOTHING", [e.officer]);
    await q.query(
      `INSERT INTO events (event_id, vehicle_id, officer_id, started_at, ended_at, trigger_kind, trigger_id, category,
         critical, notes, clock_offset_ms, pre_event_seconds, key_prefix, manifest_sha256, manifest, audit_state, bytes)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
       ON CONFLICT (event_id) DO UPDATE SET vehicle_id = EXCLUDED.vehicle_id, officer_id = EXCLUDED.officer_id,
         started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, trigger_kind = EXCLUDED.trigger_kind,
         trigger_id = EXCLUDED.trigger_id, category = EXCLUDED.category, critical = EXCLUDED.critical,
         notes = EXCLUDED.notes, clock_offset_ms = EXCLUDED.clock_offset_ms,
         pre_event_seconds = EXCLUDED.pre_event_seconds, key_prefix = EXCLUDED.key_prefix,
         manifest_sha256 = EXCLUDED.manifest_sha256, manifest = EXCLUDED.manifest,
         audit_state = EXCLUDED.audit_state, bytes = EXCLUDED.bytes, updated_at = now()`,
      [
        e.eventId,
        e.vehicleId,
        e.officer,
        e.startedAt,
        e.endedAt,
        e.triggerKind,
        e.triggerId,
        e.category,
        e.critical,
        e.notes,
        e.clockOffsetMs,
        e.preEventSeconds,
        e.keyPrefix,
        e.manifestSha256,
        JSON.stringify(e.manifest),
        e.auditState,
        e.bytes,
      ],
    );
    await q.query("DELETE FROM files WHERE event_id = $1", [e.eventId]);
    for (const f of e.files) {
      await q.query(
        `INSERT INTO files (event_id, file, camera, object_key, sha256, bytes, duration_seconds, part)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
        [e.eventId, f.file, f.camera, f.objectKey, f.sha256, f.bytes, f.durationSeconds, f.part],
      );
    }
    await q.query("DELETE FROM tags WHERE event_id = $1 AND source = 'manifest'", [e.eventId]);
    if (e.category) {
      await q.query(
        `INSERT INTO tags (event_id, name, source) VALUES ($1, $2, 'manifest')
         ON CONFLICT (event_id, name) DO NOTHING`,
        [e.eventId, e.category],
      );
    }
    await q.query("INSERT INTO incidents (id) VALUES ($1) ON CONFLICT DO NOTHING", [e.eventId]);
  }

  /** The manifest SHA-256 indexed for an event, or null when it is not indexed. */
  async indexedManifest(eventId: string): Promise<string | null> {
    const rows = await this.db.query("SELECT manifest_sha256 FROM events WHERE event_id = $1", [eventId]);
    return rows[0] ? String(rows[0].manifest_sha256) : null;
  }

  async get(eventId: string): Promise<EventDetail | null> {
    const rows = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS}, e.clock_offset_ms, e.pre_event_seconds, e.manifest_sha256, e.audit_state,
         e.key_prefix, e.manifest
       FROM events e LEFT JOIN incidents i ON i.id = e.event_id WHERE e.event_id = $1`,
      [eventId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      ...summaryFrom(r),
      clockOffsetMs: toNumber(r.clock_offset_ms),
      preEventSeconds: toNumber(r.pre_event_seconds),
      manifestSha256: String(r.manifest_sha256),
      auditState: r.audit_state === "verified" ? "verified" : "not-uploaded",
      keyPrefix: String(r.key_prefix),
      manifest:
        typeof r.manifest === "object" && r.manifest !== null ? (r.manifest as Record<string, unknown>) : {},
    };
  }

  async files(eventId: string): Promise<EventFileRecord[]> {
    const rows = await this.db.query("SELECT * FROM files WHERE event_id = $1 ORDER BY camera, part, file", [
      eventId,
    ]);
    return rows.map((r) => ({
      file: String(r.file),
      camera: String(r.camera),
      objectKey: String(r.object_key),
      sha256: String(r.sha256),
      bytes: toNumber(r.bytes),
      durationSeconds: toNumber(r.duration_seconds),
      part: toNumber(r.part),
    }));
  }

  /** One page of events, newest first, filtered; keyset paging on (started_at, event_id). */
  async search(
    s: SearchQuery,
  ): Promise<{ items: EventSummary[]; next: { startedAt: string; eventId: string } | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (s.from) where.push(`e.started_at >= ${p(s.from)}::timestamptz`);
    if (s.to) where.push(`e.started_at < ${p(s.to)}::timestamptz`);
    if (s.vehicle) where.push(`e.vehicle_id = ${p(s.vehicle)}`);
    if (s.officer) where.push(`e.officer_id = ${p(s.officer)}`);
    if (s.trigger) where.push(`e.trigger_kind = ${p(s.trigger)}`);
    if (s.category) where.push(`e.category = ${p(s.category)}`);
    if (s.caseNumber) where.push(`i.case_number = ${p(s.caseNumber)}`);
    if (s.text) where.push(`e.notes_tsv @@ plainto_tsquery('simple', ${p(s.text)})`);
    if (s.after)
      where.push(
        `(e.started_at, e.event_id) < (${p(s.after.startedAt)}::timestamptz, ${p(s.after.eventId)})`,
      );
    const rows = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS} FROM events e LEFT JOIN incidents i ON i.id = e.event_id
       ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY e.started_at DESC, e.event_id DESC LIMIT ${p(s.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, s.limit).map(summaryFrom);
    const last = items[items.length - 1];
    return {
      items,
      next: rows.length > s.limit && last ? { startedAt: last.startedAt, eventId: last.eventId } : null,
    };
  }

  /** Events a clip without an event id may belong to: same cam (commanded by the car) or officer, overlapping in time. */
  async overlapping(
    camId: string,
    officer: string | null,
    alignedStart: string,
    alignedEnd: string,
  ): Promise<{ eventId: string; start: string; end: string; byCam: boolean }[]> {
    const rows = await this.db.query(
      `SELECT event_id, started_at - make_interval(secs => pre_event_seconds + clock_offset_ms / 1000.0) AS s,
         coalesce(ended_at, started_at) - make_interval(secs => clock_offset_ms / 1000.0) AS t,
         manifest->'bodycams' @> jsonb_build_array(jsonb_build_object('id', $1::text)) AS by_cam
       FROM events
       WHERE started_at <= $4::timestamptz + interval '1 day' AND coalesce(ended_at, started_at) >= $3::timestamptz - interval '1 day'
         AND (manifest->'bodycams' @> jsonb_build_array(jsonb_build_object('id', $1::text)) OR officer_id = $2)`,
      [camId, officer, alignedStart, alignedEnd],
    );
    return rows.map((r) => ({
      eventId: String(r.event_id),
      start: toIso(r.s),
      end: toIso(r.t),
      byCam: r.by_cam === true,
    }));
  }
}

export const encodeCursor = (c: { startedAt: string; eventId: string }) =>
  Buffer.from(`${c.startedAt}|${c.eventId}`).toString("base64url");

export function decodeCursor(s: string): { startedAt: string; eventId: string } | null {
  const text = Buffer.from(s, "base64url").toString("utf8");
  const bar = text.indexOf("|");
  if (bar < 0) return null;
  const startedAt = text.slice(0, bar);
  const eventId = text.slice(bar + 1);
  if (Number.isNaN(Date.parse(startedAt)) || eventId.length === 0 || eventId.length > 100) return null;
  return { startedAt, eventId };
}
