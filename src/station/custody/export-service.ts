import { randomBytes } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import { type Clock, isoTime } from "../../core/clock.js";
import { type Db, type Queryable, type Row, toIso, toIsoOrNull, toNumber, toStringOrNull } from "../db.js";
import { cutClip } from "./clip-cut.js";
import { CustodyRepository } from "./custody-repository.js";
import { CustodyError } from "./custody-service.js";
import type { ExportDescription } from "./export-format.js";
import {
  type ClipRequest,
  type ExportObject,
  type ExportResult,
  type ExportSourceItem,
  writeExport,
} from "./export-writer.js";
import type { StationAuditLog } from "./station-audit.js";
import type { StationKey } from "./station-key.js";

/**
 * Court exports from the index: the items of an incident (its car event and linked body-cam clips)
 * or of every incident with a case number, read from storage into a signed ZIP, the export audited
 * with the SHA-256 of its signed list. Held and quarantined items are exported and marked.
 */
export interface ObjectSource {
  get(key: string): Promise<{ stream: Readable }>;
  list(prefix: string, startAfter: string, maxKeys: number): Promise<{ objects: { key: string }[] }>;
}

/** The car's audit excerpt uploaded beside an event's manifest (see src/evidence/audit-excerpt.ts). */
const CAR_EXCERPT = "audit.jsonl";

const headFrom = (v: unknown): { seq: number; sha256: string } | null => {
  if (typeof v !== "object" || v === null) return null;
  const h = v as Record<string, unknown>;
  return typeof h.seq === "number" && typeof h.sha256 === "string" ? { seq: h.seq, sha256: h.sha256 } : null;
};

async function incidentsOf(db: Queryable, scope: ExportDescription["scope"]): Promise<string[]> {
  const rows =
    scope.kind === "incident"
      ? await db.query("SELECT id FROM incidents WHERE id = $1", [scope.id])
      : await db.query("SELECT id FROM incidents WHERE case_number = $1 ORDER BY id", [scope.caseNumber]);
  return rows.map((r) => String(r.id));
}

export class ExportService {
  private readonly custody: CustodyRepository;

  constructor(
    private readonly db: Db,
    private readonly audit: StationAuditLog,
    private readonly storage: ObjectSource,
    private readonly key: StationKey,
    private readonly clock: Clock,
  ) {
    this.custody = new CustodyRepository(db);
  }

  private async files(prefix: string, indexed: Row[]): Promise<ExportObject[]> {
    const files: ExportObject[] = indexed.map((f) => ({
      file: String(f.file),
      objectKey: String(f.object_key),
      sha256: String(f.sha256),
      bytes: toNumber(f.bytes),
    }));
    const listed = await this.storage.list(`${prefix}${CAR_EXCERPT}`, "", 1);
    if (listed.objects.some((o) => o.key === `${prefix}${CAR_EXCERPT}`)) {
      files.push({ file: CAR_EXCERPT, objectKey: `${prefix}${CAR_EXCERPT}`, sha256: null, bytes: 0 });
    }
    return files;
  }

  private async item(kind: "event" | "bodycam-clip", r: Row): Promise<ExportSourceItem | null> {
    const id = String(kind === "event" ? r.event_id : r.clip_id);
    const state = await this.custody.item({ kind, id });
    if (!state || state.deletedAt !== null) return null;
    const prefix = String(r.key_prefix);
    const indexed =
      kind === "event"
        ? await this.db.query("SELECT * FROM files WHERE event_id = $1 ORDER BY camera, part, file", [id])
        : await this.db.query("SELECT * FROM clip_files WHERE clip_id = $1 ORDER BY file", [id]);
    const quarantined = await this.db.query("SELECT 1 FROM quarantine WHERE subject_id = $1 LIMIT 1", [id]);
    return {
      kind,
      id,
      device: String(kind === "event" ? r.vehicle_id : r.cam_id),
      officer: toStringOrNull(r.officer_id),
      startedAt: toIso(kind === "event" ? r.started_at : r.aligned_start),
      endedAt: toIsoOrNull(kind === "event" ? r.ended_at : r.aligned_end),
      categories: [...state.categories],
      held: state.held,
      quarantined: quarantined.length > 0,
      manifestKey: `${prefix}manifest.json`,
      manifestSha256: String(r.manifest_sha256),
      carAuditHead: kind === "event" ? headFrom(r.car_audit_head) : null,
      files: await this.files(prefix, indexed),
    };
  }

  /** Every item of the scope, in order: per incident its event, then its clips. */
  async items(
    scope: ExportDescription["scope"],
  ): Promise<{ incidents: string[]; items: ExportSourceItem[] }> {
    const incidents = await incidentsOf(this.db, scope);
    if (incidents.length === 0)
      throw new CustodyError(
        scope.kind === "incident" ? `no incident ${scope.id}` : `no incident with case ${scope.caseNumber}`,
        404,
      );
    const items: ExportSourceItem[] = [];
    const seen = new Set<string>();
    for (const incident of incidents) {
      for (const r of await this.db.query("SELECT * FROM events WHERE event_id = $1", [incident])) {
        const item = await this.item("event", r);
        if (item) items.push(item);
      }
      const clips = await this.db.query(
        `SELECT c.* FROM bodycam_clips c JOIN incident_clips ic ON ic.clip_id = c.clip_id
         WHERE ic.incident_id = $1 AND ic.unlinked_at IS NULL ORDER BY c.aligned_start, c.clip_id`,
        [incident],
      );
      for (const r of clips) {
        if (seen.has(String(r.clip_id))) continue;
        seen.add(String(r.clip_id));
        const item = await this.item("bodycam-clip", r);
        if (item) items.push(item);
      }
    }
    return { incidents, items };
  }

  /** Stream the export into `out`; audited once it is complete (or as failed). */
  async export(
    user: string,
    scope: ExportDescription["scope"],
    out: Writable,
    clip?: ClipRequest,
  ): Promise<ExportResult> {
    const { incidents, items } = await this.items(scope);
    const subjects = [
      ...incidents,
      ...items.map((i) => i.id),
      ...(scope.kind === "case" ? [scope.caseNumber] : []),
    ];
    const exportId = `${isoTime(this.clock.now()).replace(/[-:.]/g, "")}-${randomBytes(4).toString("hex")}`;
    const subject =
      scope.kind === "incident"
        ? { kind: "incident" as const, id: scope.id }
        : { kind: "case" as const, id: scope.caseNumber };
    try {
      const result = await writeExport(
        {
          exportId,
          createdAt: isoTime(this.clock.now()),
          exportedBy: user,
          scope,
          items,
          stationAudit: await this.audit.extract(subjects),
          ...(clip ? { clip } : {}),
        },
        { open: async (key) => (await this.storage.get(key)).stream },
        this.key,
        out,
        cutClip,
      );
      await this.audit.append("exported", {
        user,
        subject,
        exportId,
        items: items.map((i) => ({ kind: i.kind, id: i.id })),
        marks: result.marks,
        sumsSha256: result.sumsSha256,
        ...(clip ? { clip } : {}),
      });
      return result;
    } catch (err) {
      await this.audit.append("export-failed", { user, subject, exportId, error: (err as Error).message });
      throw err;
    }
  }
}
