import { z } from "zod";
import type { Queryable } from "./db.js";
import { decodeCursor, type EventSummary, EventsRepository, encodeCursor } from "./events-repository.js";

/** Event search: the query string is parsed (every problem named) into a keyset-paged search. */
const isoDate = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), "expected a date (YYYY-MM-DD or ISO-8601)")
  .transform((s) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s).toISOString());

const text = (max: number) => z.string().trim().min(1).max(max).optional();

export const searchParamsSchema = z.strictObject({
  from: isoDate.optional(),
  to: isoDate.optional(),
  vehicle: text(32),
  officer: text(64),
  trigger: text(32),
  category: text(64),
  case: text(64),
  q: text(200),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().max(300).optional(),
});

export class SearchInputError extends Error {
  override name = "SearchInputError";
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

export class SearchService {
  private readonly events: EventsRepository;

  constructor(db: Queryable) {
    this.events = new EventsRepository(db);
  }

  async search(params: Record<string, string>): Promise<{ items: EventSummary[]; next: string | null }> {
    const parsed = searchParamsSchema.safeParse(params);
    if (!parsed.success)
      throw new SearchInputError(
        parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`),
      );
    const p = parsed.data;
    const after = p.after ? decodeCursor(p.after) : undefined;
    if (after === null) throw new SearchInputError(["after: not a cursor from a previous page"]);
    const page = await this.events.search({
      from: p.from,
      to: p.to,
      vehicle: p.vehicle,
      officer: p.officer,
      trigger: p.trigger,
      category: p.category,
      caseNumber: p.case,
      text: p.q,
      limit: p.limit,
      after,
    });
    return { items: page.items, next: page.next ? encodeCursor(page.next) : null };
  }
}
