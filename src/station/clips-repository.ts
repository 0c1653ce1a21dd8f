import { type Queryable, type Row, toIso, toNumber, toStringOrNull } from "./db.js";

/** Every query on body-cam clips and their files. */
export interface ClipFileRecord {
  file: string;
  objectKey: string;
  sha256: string;
  bytes: number;
  durationSeconds: number;
}

export interface ClipRecord {
  clipId: string;
  camId: string;
  officer: string | null;
  vehicleId: string | null;
  eventId: string | null;
  startedAt: string;
  endedAt: string;
  clockOffsetMs: number;
  alignedStart: string;
  alignedEnd: string;
  keyPrefix: string;
  manifestSha256: string;
  manifest: Record<string, unknown>;
  bytes: number;
  files: ClipFileRecord[];
}

export type ClipRow = Omit<ClipRecord, "files" | "manifest">;

export interface ClipFilter {
  unlinked?: boolean;
  cam?: string | undefined;
  officer?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
}

function clipFrom(r: Row): ClipRow {
  return {
    clipId: String(r.clip_id),
    camId: String(r.cam_id),
    officer: toStringOrNull(r.officer_id),
    vehicleId: toStringOrNull(r.vehicle_id),
    eventId: toStringOrNull(r.event_id),
    startedAt: toIso(r.started_at),
    endedAt: toIso(r.ended_at),
    clockOffsetMs: toNumber(r.clock_offset_ms),
    alignedStart: toIso(r.aligned_start),
    alignedEnd: toIso(r.aligned_end),
    keyPrefix: String(r.key_prefix),
    manifestSha256: String(r.manifest_sha256),
    bytes: toNumber(r.bytes),
  };
}

export class ClipsRepository {
  constructor(private readonly db: Queryable) {}

  async upsert(c: ClipRecord): Promise<void> {
    if (c.officer)
      await this.db.query("INSERT INTO officers (id) VALUES ($1) ON CONFLICT DO NOTHING", [c.officer]);
    await this.db.query(
      `INSERT INTO bodycam_clips (clip_id, cam_id, officer_id, vehicle_id, event_id, started_at, ended_at,
         clock_offset_ms, aligned_start, aligned_end, key_prefix, manifest_sha256, manifest, bytes)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
       ON CONFLICT (clip_id) DO UPDATE SET cam_id = EXCLUDED.cam_id, officer_id = EXCLUDED.officer_id,
         vehicle_id = EXCLUDED.vehicle_id, event_id = EXCLUDED.event_id, started_at = EXCLUDED.started_at,
         ended_at = EXCLUDED.ended_at, clock_offset_ms = EXCLUDED.clock_offset_ms,
         aligned_start = EXCLUDED.aligned_start, aligned_end = EXCLUDED.aligned_end,
         key_prefix = EXCLUDED.key_prefix, manifest_sha256 = EXCLUDED.manifest_sha256,
         manifest = EXCLUDED.manifest, bytes = EXCLUDED.bytes, indexed_at = now()`,
      [
        c.clipId,
        c.camId,
        c.officer,
        c.vehicleId,
        c.eventId,
        c.startedAt,
        c.endedAt,
        c.clockOffsetMs,
        c.alignedStart,
        c.alignedEnd,
        c.keyPrefix,
        c.manifestSha256,
        JSON.stringify(c.manifest),
        c.bytes,
      ],
    );
    await this.db.query("DELETE FROM clip_files WHERE clip_id = $1", [c.clipId]);
    for (const f of c.files) {
      await this.db.query(
        `INSERT INTO clip_files (clip_id, file, object_key, sha256, bytes, duration_seconds) VALUES ($1,$2,$3,$4,$5,$6)`,
        [c.clipId, f.file, f.objectKey, f.sha256, f.bytes, f.durationSeconds],
      );
    }
  }

  async get(clipId: string): Promise<ClipRow | null> {
    const rows = await this.db.query("SELECT * FROM bodycam_clips WHERE clip_id = $1", [clipId]);
    return rows[0] ? clipFrom(rows[0]) : null;
  }

  /** The clip whose key prefix this is (the same clip id under another cam's prefix is a conflict). */
  async byPrefix(keyPrefix: string): Promise<ClipRow | null> {
    const rows = await this.db.query("SELECT * FROM bodycam_clips WHERE key_prefix = $1", [keyPrefix]);
    return rows[0] ? clipFrom(rows[0]) : null;
  }

  async files(clipId: string): Promise<ClipFileRecord[]> {
    const rows = await this.db.query("SELECT * FROM clip_files WHERE clip_id = $1 ORDER BY file", [clipId]);
    return rows.map((r) => ({
      file: String(r.file),
      objectKey: String(r.object_key),
      sha256: String(r.sha256),
      bytes: toNumber(r.bytes),
      durationSeconds: toNumber(r.duration_seconds),
    }));
  }

  /** Clips without an event id that overlap [start, end] and share the cam list or the officer. */
  async timeCandidates(
    camIds: readonly string[],
    officer: string | null,
    start: string,
    end: string,
  ): Promise<ClipRow[]> {
    const rows = await this.db.query(
      `SELECT * FROM bodycam_clips
       WHERE event_id IS NULL AND aligned_start <= $4::timestamptz AND aligned_end >= $3::timestamptz
         AND (cam_id = ANY($1::text[]) OR officer_id = $2)`,
      [camIds, officer, start, end],
    );
    return rows.map(clipFrom);
  }

  async list(f: ClipFilter): Promise<(ClipRow & { incidents: string[] })[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.cam) where.push(`c.cam_id = ${p(f.cam)}`);
    if (f.officer) where.push(`c.officer_id = ${p(f.officer)}`);
    if (f.from) where.push(`c.aligned_end >= ${p(f.from)}::timestamptz`);
    if (f.to) where.push(`c.aligned_start < ${p(f.to)}::timestamptz`);
    if (f.unlinked)
      where.push(
        "NOT EXISTS (SELECT 1 FROM incident_clips ic WHERE ic.clip_id = c.clip_id AND ic.unlinked_at IS NULL)",
      );
    const rows = await this.db.query(
      `SELECT c.*, ARRAY(SELECT ic.incident_id FROM incident_clips ic
           WHERE ic.clip_id = c.clip_id AND ic.unlinked_at IS NULL ORDER BY 1) AS incidents
       FROM bodycam_clips c ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY c.aligned_start DESC, c.clip_id DESC LIMIT ${p(f.limit)}`,
      params,
    );
    return rows.map((r) => ({
      ...clipFrom(r),
      incidents: Array.isArray(r.incidents) ? r.incidents.map(String) : [],
    }));
  }
}
