import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { type Clock, isoTime } from "../../core/clock.js";
import type { Db } from "../db.js";
import { ObjectMissingError } from "../object-store.js";
import { categoryNamePattern } from "./custody-config.js";
import {
  CustodyRepository,
  type Hold,
  type ItemRef,
  type KindedCustodyItem,
  type StoredObject,
} from "./custody-repository.js";
import { planSweep, type RetentionRules, restoredUntil, retentionState } from "./retention-rules.js";
import type { StationAuditLog } from "./station-audit.js";

/**
 * Custody actions: categories, legal holds, the retention sweep (deletion queue → deletion),
 * restore. Each action and its station audit entry commit in one transaction, so the log holds
 * exactly the actions that happened. Deletion removes the S3 objects first (manifest first, so a
 * half-deleted item is never re-ingested) and records their hashes; a failure is retried next sweep.
 */
export interface ObjectRemover {
  delete(key: string): Promise<void>;
}

/** What deletion needs from storage: the objects under an item's prefix, their bytes, and delete. */
export interface CustodyStore extends ObjectRemover {
  list(
    prefix: string,
    startAfter: string,
    maxKeys: number,
  ): Promise<{ objects: { key: string }[]; next: string | null }>;
  get(key: string): Promise<{ stream: Readable }>;
}

async function sha256Of(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

export class CustodyError extends Error {
  override name = "CustodyError";
  constructor(
    message: string,
    /** HTTP-like status: 400 bad input, 404 unknown, 409 not allowed now. */
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
  }
}

export interface SweepResult {
  enqueued: ItemRef[];
  dequeued: ItemRef[];
  deleted: ItemRef[];
  failed: { item: ItemRef; error: string }[];
}

const SYSTEM_USER = "station";
const PAGE = 1000;

export class CustodyService {
  private readonly repo: CustodyRepository;

  constructor(
    private readonly db: Db,
    private readonly audit: StationAuditLog,
    private readonly rules: RetentionRules,
    private readonly storage: CustodyStore,
    private readonly clock: Clock,
  ) {
    this.repo = new CustodyRepository(db);
  }

  private now(): string {
    return isoTime(this.clock.now());
  }

  private async existing(ref: ItemRef) {
    const item = await this.repo.item(ref);
    if (!item) throw new CustodyError(`no ${ref.kind} ${ref.id}`, 404);
    return item;
  }

  /** Replace the station categories of an item; audited with before and after. */
  async setCategories(user: string, ref: ItemRef, categories: readonly string[]): Promise<string[]> {
    const bad = categories.filter((c) => !categoryNamePattern.test(c));
    if (bad.length > 0) throw new CustodyError(`invalid category name(s): ${bad.join(", ")}`, 400);
    const item = await this.existing(ref);
    if (item.deletedAt !== null) throw new CustodyError(`${ref.kind} ${ref.id} was deleted`, 409);
    const next = [...new Set(categories)].sort();
    await this.db.transaction(async (tx) => {
      const repo = new CustodyRepository(tx);
      const before = await repo.stationCategories(ref);
      await repo.setStationCategories(ref, next, user, this.now());
      await this.audit.appendIn(tx, "category-changed", { user, subject: ref, from: before, to: next });
    });
    await this.audit.syncMirror();
    return next;
  }

  async placeHold(user: string, scope: Hold["scope"], target: string, reason: string): Promise<Hold> {
    if (!target.trim())
      throw new CustodyError(`a hold needs ${scope === "case" ? "a case number" : "an incident"}`, 400);
    if (!reason.trim()) throw new CustodyError("a hold needs a reason", 400);
    if (scope === "incident") {
      const rows = await this.db.query("SELECT 1 FROM incidents WHERE id = $1", [target]);
      if (rows.length === 0) throw new CustodyError(`no incident ${target}`, 404);
    }
    const hold = await this.db.transaction(async (tx) => {
      const h = await new CustodyRepository(tx).placeHold(scope, target, reason.trim(), user, this.now());
      await this.audit.appendIn(tx, "hold-placed", {
        user,
        subject: { kind: scope, id: target },
        holdId: h.id,
        reason: h.reason,
      });
      return h;
    });
    await this.audit.syncMirror();
    return hold;
  }

  /** Release a hold (a supervisor's decision, the route checks the role); the reason is required. */
  async releaseHold(user: string, holdId: number, reason: string): Promise<Hold> {
    if (!reason.trim()) throw new CustodyError("releasing a hold needs a reason", 400);
    const hold = await this.db.transaction(async (tx) => {
      const h = await new CustodyRepository(tx).releaseHold(holdId, reason.trim(), user, this.now());
      if (!h) return null;
      await this.audit.appendIn(tx, "hold-released", {
        user,
        subject: { kind: h.scope, id: h.target },
        holdId: h.id,
        reason: h.releaseReason,
      });
      return h;
    });
    if (!hold) throw new CustodyError(`no active hold ${holdId}`, 404);
    await this.audit.syncMirror();
    return hold;
  }

  holds(activeOnly = true): Promise<Hold[]> {
    return this.repo.holds(activeOnly);
  }

  queue() {
    return this.repo.queue();
  }

  /** Take an item out of the deletion queue: kept for `restoreDays` from now. */
  async restore(user: string, ref: ItemRef, reason: string): Promise<string> {
    if (!reason.trim()) throw new CustodyError("a restore needs a reason", 400);
    const item = await this.existing(ref);
    if (item.deletedAt !== null) throw new CustodyError(`${ref.kind} ${ref.id} was already deleted`, 409);
    if (item.queuedAt === null)
      throw new CustodyError(`${ref.kind} ${ref.id} is not in the deletion queue`, 409);
    const until = isoTime(restoredUntil(this.clock.now(), this.rules));
    await this.db.transaction(async (tx) => {
      await new CustodyRepository(tx).restore(ref, until, user);
      await this.audit.appendIn(tx, "restored", { user, subject: ref, until, reason: reason.trim() });
    });
    await this.audit.syncMirror();
    return until;
  }

  /** The retention state of one item now (for the UI and the API). */
  async state(ref: ItemRef): Promise<Record<string, string | string[] | boolean | null>> {
    const item = await this.existing(ref);
    const s = retentionState(item, this.rules, this.clock.now());
    const iso = (v: number | null) => (v === null ? null : isoTime(v));
    const base = { kind: ref.kind, id: ref.id, categories: [...item.categories], held: item.held };
    switch (s.state) {
      case "kept":
        return { ...base, state: s.state, until: iso(s.until) };
      case "expired":
        return { ...base, state: s.state, since: iso(s.since) };
      case "queued":
      case "due":
        return { ...base, state: s.state, deleteAt: iso(s.deleteAt) };
      case "deleted":
        return { ...base, state: s.state, at: iso(s.at) };
      default:
        return { ...base, state: s.state };
    }
  }

  /**
   * One retention pass: list what expired, take out what no longer is, delete what waited the whole
   * queue period. Every item's state is re-read inside its transaction, so N processes sweeping at
   * once never act twice (the audit log shows each action once).
   */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { enqueued: [], dequeued: [], deleted: [], failed: [] };
    for (const kind of ["event", "bodycam-clip"] as const) {
      let after = "";
      for (;;) {
        const page = await this.repo.itemsPage(kind, after, PAGE);
        const last = page[page.length - 1];
        if (!last) break;
        after = last.id;
        await this.sweepPage(kind, page, result);
      }
    }
    await this.audit.syncMirror();
    return result;
  }

  /** One page of items of one kind: list, take off the list, delete (each re-checked in its transaction). */
  private async sweepPage(
    kind: ItemRef["kind"],
    page: KindedCustodyItem[],
    result: SweepResult,
  ): Promise<void> {
    const now = this.clock.now();
    const plan = planSweep(page, this.rules, now);
    const ref = (id: string): ItemRef => ({ kind, id });
    for (const id of plan.enqueue)
      if (await this.transition(ref(id), "expired", now)) result.enqueued.push(ref(id));
    for (const id of plan.dequeue)
      if (await this.transition(ref(id), "dequeue", now)) result.dequeued.push(ref(id));
    for (const id of plan.delete) {
      try {
        if (await this.deleteItem(ref(id), now)) result.deleted.push(ref(id));
      } catch (err) {
        result.failed.push({ item: ref(id), error: (err as Error).message });
      }
    }
  }

  /** Enqueue or dequeue one item if it is (still) in that state, with its audit entry. */
  private transition(ref: ItemRef, kind: "expired" | "dequeue", now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`custody:${ref.kind}:${ref.id}`]);
      const repo = new CustodyRepository(tx);
      const item = await repo.item(ref);
      if (!item) return false;
      const s = retentionState(item, this.rules, now);
      if (kind === "expired") {
        if (s.state !== "expired") return false;
        await repo.enqueue(ref, isoTime(now));
        await this.audit.appendIn(tx, "queued-for-deletion", {
          user: SYSTEM_USER,
          subject: ref,
          retentionEnded: isoTime(s.since),
          deleteAfter: isoTime(now + this.rules.deletionQueueDays * 86_400_000),
        });
        return true;
      }
      if (item.queuedAt === null || (s.state !== "held" && s.state !== "kept")) return false;
      await repo.dequeue(ref);
      await this.audit.appendIn(tx, "dequeued", {
        user: SYSTEM_USER,
        subject: ref,
        why: s.state === "held" ? "under legal hold" : "retention extended",
      });
      return true;
    });
  }

  /**
   * Everything stored under the item's prefix: the indexed objects with their verified hashes, and
   * any other object there (the car's audit excerpt, ring segments) hashed now, before it goes.
   */
  private async objectsToDelete(ref: ItemRef): Promise<StoredObject[]> {
    const indexed = await this.repo.objects(ref);
    if (!indexed) return [];
    const known = new Set(indexed.objects.map((o) => o.key));
    const extra: StoredObject[] = [];
    let after = "";
    for (;;) {
      const page = await this.storage.list(indexed.prefix, after, 1000);
      for (const { key } of page.objects) {
        if (known.has(key)) continue;
        let body: { stream: Readable };
        try {
          body = await this.storage.get(key);
        } catch (err) {
          // deleted meanwhile (another station process is deleting this item): nothing to record here
          if (err instanceof ObjectMissingError) continue;
          throw err;
        }
        extra.push({ file: key.slice(indexed.prefix.length), key, ...(await sha256Of(body.stream)) });
      }
      if (!page.next) break;
      after = page.next;
    }
    return [...indexed.objects, ...extra];
  }

  /** Delete a due item's objects, then record the deletion (with the hashes) in the index and the log. */
  private async deleteItem(ref: ItemRef, now: number): Promise<boolean> {
    const item = await this.repo.item(ref);
    if (!item || retentionState(item, this.rules, now).state !== "due") return false;
    const objects = await this.objectsToDelete(ref);
    // the manifest first: a half-deleted item is never listed (and ingested) again
    for (const o of objects) await this.storage.delete(o.key);
    return this.db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`custody:${ref.kind}:${ref.id}`]);
      const repo = new CustodyRepository(tx);
      const again = await repo.item(ref);
      // a hold placed while the objects were being removed cannot bring them back: the record says so
      if (!again || again.deletedAt !== null) return false;
      await repo.markDeleted(ref, isoTime(now), SYSTEM_USER, objects);
      await this.audit.appendIn(tx, "deleted", {
        user: SYSTEM_USER,
        subject: ref,
        reason: "retention ended and the deletion queue period passed",
        objects: objects.map((o) => ({ key: o.key, sha256: o.sha256, bytes: o.bytes })),
      });
      return true;
    });
  }
}
