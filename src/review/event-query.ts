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

/** `newestFirst` must already be sorted by start time, newest first. */
export function listEvents(newestFirst: readonly ReviewSummary[], q: ListQuery): ListPage {
  const { from, to } = bounds(q);
  const matches = newestFirst.filter(
    (e) =>
      e.startMs >= from &&
      e.startMs <= to &&
      (q.trigger === undefined || e.trigger.kind === q.trigger) &&
      (q.category === undefined || (q.category === "none" ? e.category === null : e.category === q.category)),
  );
  const start = (q.page - 1) * q.pageSize;
  return {
    total: matches.length,
    page: q.page,
    pageSize: q.pageSize,
    events: matches.slice(start, start + q.pageSize),
    triggers: distinct(newestFirst.map((e) => e.trigger.kind)),
    categories: distinct(newestFirst.flatMap((e) => (e.category === null ? [] : [e.category]))),
  };
}

function distinct(values: string[]): string[] {
  return [...new Set(values)].sort();
}
