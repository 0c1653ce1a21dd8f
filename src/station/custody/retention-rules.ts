import { type CustodyConfig, parseRetention, type RetentionPeriod } from "./custody-config.js";

/**
 * Station retention, pure: categories give each item a keep-until instant (the longest of its
 * categories; uncategorised = the longest finite period), a legal hold overrides everything, and an
 * expired item waits in the deletion queue for `deletionQueueDays` before it is due for deletion.
 * The sweep worker applies the plan; nothing here reads a clock or a database.
 */

const DAY_MS = 86_400_000;

export interface RetentionRules {
  categories: ReadonlyMap<string, RetentionPeriod>;
  deletionQueueDays: number;
  restoreDays: number;
}

export function rulesFromConfig(
  config: Pick<CustodyConfig, "categories" | "deletionQueueDays" | "restoreDays">,
): RetentionRules {
  const categories = new Map<string, RetentionPeriod>();
  for (const [name, c] of Object.entries(config.categories))
    categories.set(name, parseRetention(c.retention));
  return { categories, deletionQueueDays: config.deletionQueueDays, restoreDays: config.restoreDays };
}

/** `at` plus a period, in epoch ms; null for forever. Years are calendar years in UTC. */
export function addPeriod(at: number, p: RetentionPeriod): number | null {
  if (p.kind === "forever") return null;
  if (p.kind === "days") return at + p.n * DAY_MS;
  const d = new Date(at);
  d.setUTCFullYear(d.getUTCFullYear() + p.n);
  return d.getTime();
}

/** Compare two periods by length (forever is longest); years count as 366 days so a tie never shortens. */
function periodLength(p: RetentionPeriod): number {
  if (p.kind === "forever") return Number.POSITIVE_INFINITY;
  return p.kind === "days" ? p.n : p.n * 366;
}

/**
 * The period an uncategorised item keeps: the longest finite period configured (never the shortest,
 * so forgetting to categorise never deletes early). With no finite category at all: forever.
 */
export function uncategorisedPeriod(rules: RetentionRules): RetentionPeriod {
  let best: RetentionPeriod | null = null;
  for (const p of rules.categories.values()) {
    if (p.kind === "forever") continue;
    if (!best || periodLength(p) > periodLength(best)) best = p;
  }
  return best ?? { kind: "forever" };
}

/** The periods that apply to an item's categories (unknown names and none → the uncategorised period). */
function periodsOf(categories: readonly string[], rules: RetentionRules): RetentionPeriod[] {
  const known = categories.map((c) => rules.categories.get(c));
  if (known.length === 0 || known.some((p) => p === undefined)) {
    return [...known.filter((p): p is RetentionPeriod => p !== undefined), uncategorisedPeriod(rules)];
  }
  return known as RetentionPeriod[];
}

/** Until when an item is kept by its categories alone (the longest applies); null = forever. */
export function keepUntil(
  recordedAt: number,
  categories: readonly string[],
  rules: RetentionRules,
): number | null {
  let until = Number.NEGATIVE_INFINITY;
  for (const p of periodsOf(categories, rules)) {
    const t = addPeriod(recordedAt, p);
    if (t === null) return null;
    until = Math.max(until, t);
  }
  return until;
}

/** What the station knows about one item (an ingested event) for retention. */
export interface CustodyItem {
  id: string;
  recordedAt: number;
  categories: readonly string[];
  /** An active legal hold on its incident or its case number. */
  held: boolean;
  /** When it entered the deletion queue (null = not queued). */
  queuedAt: number | null;
  /** A supervisor's restore keeps it at least until then. */
  restoredUntil: number | null;
  deletedAt: number | null;
}

export type RetentionState =
  | { state: "deleted"; at: number }
  | { state: "held" }
  | { state: "kept"; until: number | null }
  | { state: "expired"; since: number }
  | { state: "queued"; deleteAt: number }
  | { state: "due"; deleteAt: number };

export function retentionState(item: CustodyItem, rules: RetentionRules, now: number): RetentionState {
  if (item.deletedAt !== null) return { state: "deleted", at: item.deletedAt };
  if (item.held) return { state: "held" };
  const byCategory = keepUntil(item.recordedAt, item.categories, rules);
  const until =
    byCategory === null ? null : Math.max(byCategory, item.restoredUntil ?? Number.NEGATIVE_INFINITY);
  if (until === null || now < until) return { state: "kept", until };
  if (item.queuedAt === null) return { state: "expired", since: until };
  const deleteAt = item.queuedAt + rules.deletionQueueDays * DAY_MS;
  return now >= deleteAt ? { state: "due", deleteAt } : { state: "queued", deleteAt };
}

export interface SweepPlan {
  /** Expired, not yet listed: enter the deletion queue now. */
  enqueue: string[];
  /** Listed but no longer expired (held, recategorised, restored): leave the queue. */
  dequeue: string[];
  /** Listed for the whole queue period: delete now. */
  delete: string[];
}

export function planSweep(items: readonly CustodyItem[], rules: RetentionRules, now: number): SweepPlan {
  const plan: SweepPlan = { enqueue: [], dequeue: [], delete: [] };
  for (const item of items) {
    const s = retentionState(item, rules, now);
    if (s.state === "expired") plan.enqueue.push(item.id);
    else if (s.state === "due") plan.delete.push(item.id);
    else if ((s.state === "held" || s.state === "kept") && item.queuedAt !== null) plan.dequeue.push(item.id);
  }
  return plan;
}

/** The restore a supervisor grants from the queue: kept for `restoreDays` from now. */
export const restoredUntil = (now: number, rules: RetentionRules) => now + rules.restoreDays * DAY_MS;

/** One held item as `config check` sees it: its categories under the current config. */
export interface HeldItem {
  id: string;
  recordedAt: number;
  categories: readonly string[];
}

/**
 * A new category config may not shorten the retention of an item under legal hold (the hold would be
 * the only thing keeping it, and a release would then delete it at once). One message per item.
 */
export function retentionShortenedForHeld(
  held: readonly HeldItem[],
  current: RetentionRules,
  next: RetentionRules,
): string[] {
  const problems: string[] = [];
  for (const item of held) {
    const before = keepUntil(item.recordedAt, item.categories, current);
    const after = keepUntil(item.recordedAt, item.categories, next);
    const shorter = after !== null && (before === null || after < before);
    if (!shorter) continue;
    const cats = item.categories.length > 0 ? item.categories.join(", ") : "uncategorised";
    problems.push(
      `item ${item.id} (${cats}) is under legal hold: its retention would end ${new Date(after).toISOString()} instead of ${before === null ? "never" : new Date(before).toISOString()}`,
    );
  }
  return problems;
}
