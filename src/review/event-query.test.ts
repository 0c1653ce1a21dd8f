import { describe, expect, it } from "vitest";
import { listEvents, listQuerySchema } from "./event-query.js";
import type { ReviewSummary } from "./event-record.js";

const DAY = 86_400_000;
const T = Date.UTC(2026, 10, 1);
const kinds = ["lightbar", "can", "cli"];
// 30 events, one a day, newest first
const events = Array.from({ length: 30 }, (_, i) => {
  const startMs = T + (29 - i) * DAY + 3_600_000;
  return {
    id: `e${29 - i}`,
    startMs,
    trigger: { kind: kinds[(29 - i) % 3], id: "x", reason: "r" },
    category: (29 - i) % 2 === 0 ? "traffic" : null,
  } as unknown as ReviewSummary;
});
const q = (raw: Record<string, string>) => listQuerySchema.parse(raw);
const ids = (r: { events: ReviewSummary[] }) => r.events.map((e) => e.id);

describe("event list paging and filters", () => {
  it("pages newest first", () => {
    expect(ids(listEvents(events, q({ pageSize: "3" })))).toEqual(["e29", "e28", "e27"]);
    const p2 = listEvents(events, q({ pageSize: "3", page: "2" }));
    expect(ids(p2)).toEqual(["e26", "e25", "e24"]);
    expect(p2.total).toBe(30);
    expect(listEvents(events, q({ page: "99" })).events).toEqual([]);
  });

  it("filters by date (a `to` date includes its whole day), trigger kind and category", () => {
    const nov3to5 = listEvents(events, q({ from: "2026-11-03", to: "2026-11-05" }));
    expect(ids(nov3to5)).toEqual(["e4", "e3", "e2"]);
    const can = listEvents(events, q({ trigger: "can", pageSize: "100" }));
    expect(can.total).toBe(10);
    expect(can.events.every((e) => e.trigger.kind === "can")).toBe(true);
    expect(listEvents(events, q({ category: "traffic" })).total).toBe(15);
    expect(listEvents(events, q({ category: "none" })).total).toBe(15);
    const both = listEvents(
      events,
      q({ trigger: "lightbar", category: "traffic", pageSize: "2", page: "2" }),
    );
    expect(both.total).toBe(5); // e0 e6 e12 e18 e24
    expect(ids(both)).toEqual(["e12", "e6"]);
    expect(listEvents(events, q({})).triggers).toEqual(["can", "cli", "lightbar"]);
    expect(listEvents(events, q({})).categories).toEqual(["traffic"]);
  });

  it.each([[{ from: "yesterday" }], [{ page: "0" }], [{ pageSize: "1000" }], [{ sort: "oldest" }]])(
    "refuses %o",
    (raw) => {
      expect(listQuerySchema.safeParse(raw).success).toBe(false);
    },
  );
});
