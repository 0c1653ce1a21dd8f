import { type Queryable, type Row, toIso, toNumber, toStringOrNull } from "./db.js";

/** What failed verification (never indexed) and the station's alerts. */
export type SubjectKind = "event" | "bodycam-clip";

export interface QuarantineEntry {
  kind: SubjectKind;
  keyPrefix: string;
  vehicleId: string | null;
  subjectId: string | null;
  reason: string;
  detail: string;
  manifestSha256: string;
}

export interface QuarantineRow extends QuarantineEntry {
  id: number;
  firstSeen: string;
  lastSeen: string;
  count: number;
}

export interface AlertRow {
  id: number;
  at: string;
  code: string;
  severity: "info" | "warning" | "critical";
  message: string;
  keyPrefix: string | null;
}

function quarantineFrom(r: Row): QuarantineRow {
  return {
    id: toNumber(r.id),
    kind: r.kind === "bodycam-clip" ? "bodycam-clip" : "event",
    keyPrefix: String(r.key_prefix),
    vehicleId: toStringOrNull(r.vehicle_id),
    subjectId: toStringOrNull(r.subject_id),
    reason: String(r.reason),
    detail: String(r.detail),
    manifestSha256: String(r.manifest_sha256),
    firstSeen: toIso(r.first_seen),
    lastSeen: toIso(r.last_seen),
    count: toNumber(r.count),
  };
}

export class QuarantineRepository {
  constructor(private readonly db: Queryable) {}

  /** Record (or count again) a quarantined prefix; true when it is new. */
  async record(e: QuarantineEntry): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO quarantine (kind, key_prefix, vehicle_id, subject_id, reason, detail, manifest_sha256)
       VALUES ($1,$2,$3,$4,$5,$6,$7)
       ON CONFLICT (key_prefix, manifest_sha256, reason)
       DO UPDATE SET last_seen = now(), count = quarantine.count + 1, detail = EXCLUDED.detail
       RETURNING (xmax = 0) AS inserted`,
      [e.kind, e.keyPrefix, e.vehicleId, e.subjectId, e.reason, e.detail, e.manifestSha256],
    );
    return rows[0]?.inserted === true;
  }

  async list(limit: number): Promise<QuarantineRow[]> {
    const rows = await this.db.query("SELECT * FROM quarantine ORDER BY last_seen DESC, id DESC LIMIT $1", [
      limit,
    ]);
    return rows.map(quarantineFrom);
  }

  async forPrefix(keyPrefix: string): Promise<QuarantineRow[]> {
    const rows = await this.db.query("SELECT * FROM quarantine WHERE key_prefix = $1 ORDER BY id", [
      keyPrefix,
    ]);
    return rows.map(quarantineFrom);
  }

  async alert(
    code: string,
    severity: AlertRow["severity"],
    message: string,
    keyPrefix: string | null,
  ): Promise<void> {
    await this.db.query(
      "INSERT INTO station_alerts (code, severity, message, key_prefix) VALUES ($1,$2,$3,$4)",
      [code, severity, message, keyPrefix],
    );
  }

  async alerts(limit: number): Promise<AlertRow[]> {
    const rows = await this.db.query("SELECT * FROM station_alerts ORDER BY at DESC, id DESC LIMIT $1", [
      limit,
    ]);
    return rows.map((r) => ({
      id: toNumber(r.id),
      at: toIso(r.at),
      code: String(r.code),
      severity: r.severity === "critical" ? "critical" : r.severity === "info" ? "info" : "warning",
      message: String(r.message),
      keyPrefix: toStringOrNull(r.key_prefix),
    }));
  }
}
