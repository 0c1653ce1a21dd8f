import { type Queryable, type Row, toIso, toIsoOrNull, toNumber, toStringOrNull } from "../db.js";
import type { CustodyItem } from "./retention-rules.js";

/**
 * Every custody query: categories set at the station, legal holds, each item's retention state
 * (deletion queue, restore, deletion with the hashes of what was deleted), and what retention and
 * deletion need to know about an item. Services call this; nothing else touches these tables.
 */
export type ItemKind = "event" | "bodycam-clip";

export interface ItemRef {
  kind: ItemKind;
  id: string;
}

export interface Hold {
  id: number;
  scope: "incident" | "case";
  target: string;
  reason: string;
  placedBy: string;
  placedAt: string;
  releasedBy: string | null;
  releasedAt: string | null;
  releaseReason: string | null;
}

export interface StoredObject {
  file: string;
  key: string;
  sha256: string;
  /** Null for a manifest (its size is not indexed; its hash is). */
  bytes: number | null;
}

export interface KindedCustodyItem extends CustodyItem {
  kind: ItemKind;
}

const holdFrom = (r: Row): Hold => ({
  id: toNumber(r.id),
  scope: r.scope === "case" ? "case" : "incident",
  target: String(r.target),
  reason: String(r.reason),
  placedBy: String(r.placed_by),
  placedAt: toIso(r.placed_at),
  releasedBy: toStringOrNull(r.released_by),
  releasedAt: toIsoOrNull(r.released_at),
  releaseReason: toStringOrNull(r.release_reason),
});

const ms = (v: unknown): number | null =>
  v === null || v === undefined ? null : new Date(toIso(v)).getTime();

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/** An active hold on one of the incidents (or their case numbers) named by `incidents` (an SQL array expression). */
const HELD = (
  incidents: string,
) => `EXISTS (SELECT 1 FROM legal_holds h LEFT JOIN incidents hi ON hi.id = ANY(${incidents})
  WHERE h.released_at IS NULL AND ((h.scope = 'incident' AND h.target = ANY(${incidents}))
    OR (h.scope = 'case' AND h.target = hi.case_number)))`;

/** A clip's incidents: its live links. */
const CLIP_INCIDENTS = `ARRAY(SELECT ic.incident_id FROM incident_clips ic WHERE ic.clip_id = c.clip_id AND ic.unlinked_at IS NULL)`;

const EVENT_ITEMS = `SELECT 'event' AS kind, e.event_id AS id, e.started_at AS recorded_at,
    array_remove(ARRAY[e.category], NULL)
      || ARRAY(SELECT ct.category FROM item_categories ct WHERE ct.item_kind = 'event' AND ct.item_id = e.event_id) AS categories,
    ${HELD("ARRAY[e.event_id]")} AS held,
    ci.queued_at, ci.restored_until, ci.deleted_at
  FROM events e LEFT JOIN custody_items ci ON ci.item_kind = 'event' AND ci.item_id = e.event_id`;

/** A clip keeps its own categories and those of the incidents it belongs to; their holds hold it. */
const CLIP_ITEMS = `SELECT 'bodycam-clip' AS kind, c.clip_id AS id, c.aligned_start AS recorded_at,
    ARRAY(SELECT ct.category FROM item_categories ct WHERE ct.item_kind = 'bodycam-clip' AND ct.item_id = c.clip_id)
      || ARRAY(SELECT e.category FROM events e WHERE e.event_id = ANY(${CLIP_INCIDENTS}) AND e.category IS NOT NULL)
      || ARRAY(SELECT ct.category FROM item_categories ct WHERE ct.item_kind = 'event' AND ct.item_id = ANY(${CLIP_INCIDENTS})) AS categories,
    ${HELD(CLIP_INCIDENTS)} AS held,
    ci.queued_at, ci.restored_until, ci.deleted_at
  FROM bodycam_clips c LEFT JOIN custody_items ci ON ci.item_kind = 'bodycam-clip' AND ci.item_id = c.clip_id`;

function itemFrom(r: Row): KindedCustodyItem {
  return {
    kind: r.kind === "bodycam-clip" ? "bodycam-clip" : "event",
    id: String(r.id),
    recordedAt: ms(r.recorded_at) as number,
    categories: [...new Set(strings(r.categories))],
    held: r.held === true,
    queuedAt: ms(r.queued_at),
    restoredUntil: ms(r.restored_until),
    deletedAt: ms(r.deleted_at),
  };
}

export class CustodyRepository {
  constructor(private readonly db: Queryable) {}

  /** One page of items of one kind, by id after `after` (keyset on the primary key), for the retention sweep. */
  async itemsPage(kind: ItemKind, after: string, limit: number): Promise<KindedCustodyItem[]> {
    const [sql, id] = kind === "event" ? [EVENT_ITEMS, "e.event_id"] : [CLIP_ITEMS, "c.clip_id"];
    const rows = await this.db.query(`${sql} WHERE ${id} > $1 ORDER BY ${id} LIMIT $2`, [after, limit]);
    return rows.map(itemFrom);
  }

  async item(ref: ItemRef): Promise<KindedCustodyItem | null> {
    const [sql, id] = ref.kind === "event" ? [EVENT_ITEMS, "e.event_id"] : [CLIP_ITEMS, "c.clip_id"];
    const rows = await this.db.query(`${sql} WHERE ${id} = $1`, [ref.id]);
    return rows[0] ? itemFrom(rows[0]) : null;
  }

  /** Categories set at the station (the manifest's category is not among them). */
  async stationCategories(ref: ItemRef): Promise<string[]> {
    const rows = await this.db.query(
      "SELECT category FROM item_categories WHERE item_kind = $1 AND item_id = $2 ORDER BY category",
      [ref.kind, ref.id],
    );
    return rows.map((r) => String(r.category));
  }

  async setStationCategories(
    ref: ItemRef,
    categories: readonly string[],
    user: string,
    at: string,
  ): Promise<void> {
    await this.db.query("DELETE FROM item_categories WHERE item_kind = $1 AND item_id = $2", [
      ref.kind,
      ref.id,
    ]);
    for (const c of categories) {
      await this.db.query(
        "INSERT INTO item_categories (item_kind, item_id, category, added_by, added_at) VALUES ($1, $2, $3, $4, $5)",
        [ref.kind, ref.id, c, user, at],
      );
    }
  }

  async placeHold(
    scope: Hold["scope"],
    target: string,
    reason: string,
    user: string,
    at: string,
  ): Promise<Hold> {
    const rows = await this.db.query(
      `INSERT INTO legal_holds (scope, target, reason, placed_by, placed_at) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [scope, target, reason, user, at],
    );
    return holdFrom(rows[0] as Row);
  }

  /** Release an active hold; null when there is no such active hold. */
  async releaseHold(id: number, reason: string, user: string, at: string): Promise<Hold | null> {
    const rows = await this.db.query(
      `UPDATE legal_holds SET released_by = $2, released_at = $3, release_reason = $4
       WHERE id = $1 AND released_at IS NULL RETURNING *`,
      [id, user, at, reason],
    );
    return rows[0] ? holdFrom(rows[0]) : null;
  }

  async holds(activeOnly: boolean): Promise<Hold[]> {
    const rows = await this.db.query(
      `SELECT * FROM legal_holds ${activeOnly ? "WHERE released_at IS NULL" : ""} ORDER BY id`,
    );
    return rows.map(holdFrom);
  }

  /** Items under an active hold (what `config check` compares the new category config against). */
  async heldItems(): Promise<KindedCustodyItem[]> {
    const rows = await this.db.query(
      `SELECT * FROM (${EVENT_ITEMS} UNION ALL ${CLIP_ITEMS}) x WHERE x.held AND x.deleted_at IS NULL ORDER BY x.kind, x.id`,
    );
    return rows.map(itemFrom);
  }

  private async upsertState(ref: ItemRef, set: string, params: unknown[]): Promise<void> {
    await this.db.query(
      `INSERT INTO custody_items (item_kind, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [ref.kind, ref.id],
    );
    await this.db.query(`UPDATE custody_items SET ${set} WHERE item_kind = $1 AND item_id = $2`, [
      ref.kind,
      ref.id,
      ...params,
    ]);
  }

  enqueue(ref: ItemRef, at: string): Promise<void> {
    return this.upsertState(ref, "queued_at = $3", [at]);
  }

  dequeue(ref: ItemRef): Promise<void> {
    return this.upsertState(ref, "queued_at = NULL", []);
  }

  restore(ref: ItemRef, until: string, user: string): Promise<void> {
    return this.upsertState(ref, "queued_at = NULL, restored_until = $3, restored_by = $4", [until, user]);
  }

  markDeleted(ref: ItemRef, at: string, user: string, objects: readonly StoredObject[]): Promise<void> {
    return this.upsertState(ref, "queued_at = NULL, deleted_at = $3, deleted_by = $4, deleted_objects = $5", [
      at,
      user,
      JSON.stringify(objects),
    ]);
  }

  /** The deletion queue: items listed and not yet deleted, oldest first. */
  async queue(): Promise<{ kind: ItemKind; id: string; queuedAt: string }[]> {
    const rows = await this.db.query(
      `SELECT item_kind, item_id, queued_at FROM custody_items
       WHERE queued_at IS NOT NULL AND deleted_at IS NULL ORDER BY queued_at, item_kind, item_id`,
    );
    return rows.map((r) => ({
      kind: r.item_kind === "bodycam-clip" ? "bodycam-clip" : "event",
      id: String(r.item_id),
      queuedAt: toIso(r.queued_at),
    }));
  }

  async deletion(ref: ItemRef): Promise<{ at: string; by: string; objects: StoredObject[] } | null> {
    const rows = await this.db.query(
      "SELECT deleted_at, deleted_by, deleted_objects FROM custody_items WHERE item_kind = $1 AND item_id = $2 AND deleted_at IS NOT NULL",
      [ref.kind, ref.id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      at: toIso(r.deleted_at),
      by: String(r.deleted_by),
      objects: (r.deleted_objects ?? []) as StoredObject[],
    };
  }

  /** An item's key prefix and its indexed objects (manifest and files, with their verified hashes). */
  async objects(ref: ItemRef): Promise<{ prefix: string; objects: StoredObject[] } | null> {
    const owner =
      ref.kind === "event"
        ? await this.db.query("SELECT key_prefix, manifest_sha256 FROM events WHERE event_id = $1", [ref.id])
        : await this.db.query("SELECT key_prefix, manifest_sha256 FROM bodycam_clips WHERE clip_id = $1", [
            ref.id,
          ]);
    const o = owner[0];
    if (!o) return null;
    const files =
      ref.kind === "event"
        ? await this.db.query(
            "SELECT file, object_key, sha256, bytes FROM files WHERE event_id = $1 ORDER BY file",
            [ref.id],
          )
        : await this.db.query(
            "SELECT file, object_key, sha256, bytes FROM clip_files WHERE clip_id = $1 ORDER BY file",
            [ref.id],
          );
    const prefix = String(o.key_prefix);
    return {
      prefix,
      objects: [
        {
          file: "manifest.json",
          key: `${prefix}manifest.json`,
          sha256: String(o.manifest_sha256),
          bytes: null,
        },
        ...files.map((f) => ({
          file: String(f.file),
          key: String(f.object_key),
          sha256: String(f.sha256),
          bytes: toNumber(f.bytes),
        })),
      ],
    };
  }

  /** Record the anchor in the car's chain for an event (called by ingest with the excerpt's last line). */
  async setCarAuditHead(eventId: string, head: { seq: number; sha256: string } | null): Promise<void> {
    await this.db.query("UPDATE events SET car_audit_head = $2 WHERE event_id = $1", [
      eventId,
      head === null ? null : JSON.stringify(head),
    ]);
  }

  /** The custody config the station last ran with (null before the first start). */
  async appliedConfig(): Promise<unknown> {
    const rows = await this.db.query("SELECT config FROM custody_settings WHERE id = 1");
    return rows[0] ? rows[0].config : null;
  }

  async setAppliedConfig(config: unknown, at: string): Promise<void> {
    await this.db.query(
      `INSERT INTO custody_settings (id, config, applied_at) VALUES (1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config, applied_at = EXCLUDED.applied_at`,
      [JSON.stringify(config), at],
    );
  }
}
