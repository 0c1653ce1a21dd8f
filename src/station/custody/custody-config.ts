import { z } from "zod";
import { section } from "../../config/describe.js";

/**
 * The station's `custody:` config section: categories and their retention, the deletion queue.
 * Hooked into the station config schema as one key; parsed here so the rules stay in one place.
 */

/** `90d`, `1y`, `5y` or `forever`. Years are calendar years (UTC), days are 24 h. */
export const RETENTION_PATTERN = /^(forever|[1-9][0-9]{0,4}[dy])$/;

export type RetentionPeriod =
  | { kind: "forever" }
  | { kind: "days"; n: number }
  | { kind: "years"; n: number };

export function parseRetention(text: string): RetentionPeriod {
  if (!RETENTION_PATTERN.test(text)) throw new Error(`retention '${text}': expected e.g. 90d, 1y or forever`);
  if (text === "forever") return { kind: "forever" };
  const n = Number(text.slice(0, -1));
  return text.endsWith("y") ? { kind: "years", n } : { kind: "days", n };
}

const retention = z
  .string()
  .regex(RETENTION_PATTERN, "expected e.g. 90d, 1y or forever")
  .describe("How long an item of this category is kept after it was recorded: `Nd`, `Ny` or `forever`.");

export const categoryNamePattern = /^[A-Za-z0-9][A-Za-z0-9 _-]{0,47}$/;

export const custodyConfigSchema = section(
  "Custody: categories that drive retention, the deletion queue, exports and share links.",
  {
    categories: z
      .record(
        z.string().regex(categoryNamePattern, "expected 1-48 letters, digits, spaces, '-' or '_'"),
        z.strictObject({
          retention,
          description: z.string().max(200).optional().describe("What the category is for (shown in the UI)."),
        }),
      )
      .default({
        "non-evidence": { retention: "90d" },
        "traffic stop": { retention: "1y" },
        arrest: { retention: "5y" },
        homicide: { retention: "forever" },
      })
      .describe(
        "Categories and their retention. An item with several categories keeps the longest; an uncategorised item (or one whose category is not listed) keeps the longest finite period, never the shortest.",
      ),
    deletionQueueDays: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .describe(
        "Days an expired item stays listed in the deletion queue (restorable by a supervisor) before its objects are deleted.",
      ),
    restoreDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(365)
      .describe(
        "How long a supervisor's restore from the deletion queue keeps an item before it expires again.",
      ),
    sweepIntervalMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60)
      .describe(
        "How often this process runs the retention sweep (listing expired items, deleting due ones).",
      ),
    shareLinkMaxHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(24 * 14)
      .describe("Longest lifetime of a share link (hours)."),
  },
);

export type CustodyConfig = z.infer<typeof custodyConfigSchema>;
