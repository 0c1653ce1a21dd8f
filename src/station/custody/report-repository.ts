import { type Queryable, toIso } from "../db.js";
import type { PendingUpload, ReportEvent } from "./officer-report.js";

/** The index rows the accountability report is built from. */

const ms = (v: unknown) => Date.parse(toIso(v));

function bodycamsOf(manifest: unknown): ReportEvent["bodycams"] {
  const list =
    typeof manifest === "object" && manifest !== null ? (manifest as { bodycams?: unknown }).bodycams : null;
  if (!Array.isArray(list)) return [];
  return list.flatMap((b: unknown) => {
    if (typeof b !== "object" || b === null) return [];
    const r = b as Record<string, unknown>;
    if (typeof r.id !== "string") return [];
    return [
      {
        id: r.id,
        commanded: typeof r.commandedAt === "string",
        confirmed: typeof r.confirmedAt === "string",
      },
    ];
  });
}

/** `{prefix}{vehicleId}/{eventId}/`: the two segments before the trailing slash. */
function vehicleAndEvent(keyPrefix: string): { vehicleId: string; eventId: string } | null {
  const parts = keyPrefix.split("/").filter((p) => p.length > 0);
  const eventId = parts[parts.length - 1];
  const vehicleId = parts[parts.length - 2];
  return eventId && vehicleId ? { vehicleId, eventId } : null;
}

export class ReportRepository {
  constructor(private readonly db: Queryable) {}

  async events(from: string, to: string): Promise<ReportEvent[]> {
    const rows = await this.db.query(
      `SELECT e.event_id, e.vehicle_id, e.officer_id, e.started_at, e.ended_at, e.indexed_at,
         e.manifest -> 'bodycams' AS bodycams,
         array_remove(ARRAY[e.category], NULL)
           || ARRAY(SELECT ct.category FROM item_categories ct WHERE ct.item_kind = 'event' AND ct.item_id = e.event_id) AS categories,
         ci.deleted_at IS NOT NULL AS deleted
       FROM events e LEFT JOIN custody_items ci ON ci.item_kind = 'event' AND ci.item_id = e.event_id
       WHERE e.started_at >= $1 AND e.started_at < $2 ORDER BY e.started_at, e.event_id`,
      [from, to],
    );
    return rows.map((r) => ({
      eventId: String(r.event_id),
      vehicleId: String(r.vehicle_id),
      officer: r.officer_id === null ? null : String(r.officer_id),
      startedAt: ms(r.started_at),
      endedAt: r.ended_at === null ? null : ms(r.ended_at),
      indexedAt: ms(r.indexed_at),
      categories: Array.isArray(r.categories) ? r.categories.map(String) : [],
      deleted: r.deleted === true,
      bodycams: bodycamsOf({ bodycams: r.bodycams }),
    }));
  }

  /** Car events the station has seen in the bucket but not indexed yet. */
  async pendingUploads(): Promise<PendingUpload[]> {
    const rows = await this.db.query(
      `SELECT key_prefix, enqueued_at FROM ingest_jobs
       WHERE kind = 'event' AND state IN ('pending', 'running', 'failed') ORDER BY enqueued_at`,
    );
    return rows.flatMap((r) => {
      const ids = vehicleAndEvent(String(r.key_prefix));
      return ids ? [{ ...ids, since: ms(r.enqueued_at) }] : [];
    });
  }
}
