import { z } from "zod";
import type { ReviewSummary } from "./event-record.js";

/**
 * The review list's paging and filters, from the query string: `from`/`to` (a date `YYYY-MM-DD`, UTC, or
 * an ISO time; `to` as a date includes that whole day), `trigger` (origin kind: lightbar, cli, can,
 * bodycam, …), `category` (exact; `none` = untagged), `page` (from 1), `pageSize` (1-100, default 25).
 */
const when = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), "expected a date (YYYY-MM-DD) or an ISO time");

export const listQuerySchema = z.strictObject({
  from: when.optional(),
  to: when.optional(),
  trigger: z.string().max(64).optional(),
  category: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
  /** The page sends its token in the query (media elements cannot send headers); ignored here. */
  token: z.string().optional(),
});

export type ListQuery = z.infer<typeof listQuerySchema>;

export interface ListPage {
  total: number;
  page: number;
  pageSize: number;
  events: ReviewSummary[];
  /** Filter values present in the whole index, for the page's selects. */
  triggers: string[];
  categories: string[];
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function bounds(q: ListQuery): { from: number; to: number } {
  const from = q.from ? Date.parse(q.from) : Number.NEGATIVE_INFINITY;
  let to = q.to ? Date.parse(q.to) : Number.POSITIVE_INFINITY;
  if (q.to && DATE_ONLY.test(q.to)) to += DAY_MS - 1;
  return { from, to };
}

/**
 * One page of the matching events. `newestFirst` must already be sorted by start time, newest first; one
 * pass, no copies (with 5,000 events a list answer must stay far below 50 ms on a loaded car computer).
 */
export function listEvents(
  newestFirst: readonly ReviewSummary[],
  q: ListQuery,
  facets: Pick<ListPage, "triggers" | "categories"> = facetsOf(newestFirst),
): ListPage {
  const { from, to } = bounds(q);
  const start = (q.page - 1) * q.pageSize;
  const events: ReviewSummary[] = [];
  let total = 0;
  const unfiltered =
    q.from === undefined && q.to === undefined && q.trigger === undefined && q.category === undefined;
  if (unfiltered) {
    total = newestFirst.length;
    events.push(...newestFirst.slice(start, start + q.pageSize));
  } else {
    for (const e of newestFirst) {
      if (e.startMs < from || e.startMs > to) continue;
      if (q.trigger !== undefined && e.trigger.kind !== q.trigger) continue;
      if (
        q.category !== undefined &&
        (q.category === "none" ? e.category !== null : e.category !== q.category)
      )
        continue;
      if (total >= start && events.length < q.pageSize) events.push(e);
      total += 1;
    }
  }
  return { total, page: q.page, pageSize: q.pageSize, events, ...facets };
}

/** Filter values present in the whole list, for the page's selects. */
export function facetsOf(events: readonly ReviewSummary[]): Pick<ListPage, "triggers" | "categories"> {
  const triggers = new Set<string>();
  const categories = new Set<string>();
  for (const e of events) {
    triggers.add(e.trigger.kind);
    if (e.category !== null) categories.add(e.category);
  }
  return { triggers: [...triggers].sort(), categories: [...categories].sort() };
}
