import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/support/fake-clock.js";
import { custodyConfigSchema } from "./custody-config.js";
import {
  type CustodyItem,
  keepUntil,
  planSweep,
  retentionShortenedForHeld,
  retentionState,
  rulesFromConfig,
  uncategorisedPeriod,
} from "./retention-rules.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10, 12); // recorded at
// the defaults: non-evidence 90 d, traffic stop 1 y, arrest 5 y, homicide forever; queue 30 d, restore 365 d
const rules = rulesFromConfig(custodyConfigSchema.parse({}));
const years = (n: number) => Date.UTC(2026 + n, 0, 10, 12);

const item = (over: Partial<CustodyItem> = {}): CustodyItem => ({
  id: "e1",
  recordedAt: T0,
  categories: [],
  held: false,
  queuedAt: null,
  restoredUntil: null,
  deletedAt: null,
  ...over,
});

describe("keep-until by category", () => {
  it.each([
    ["non-evidence", ["non-evidence"], T0 + 90 * DAY],
    ["traffic stop", ["traffic stop"], years(1)],
    ["arrest", ["arrest"], years(5)],
    ["homicide: never deleted", ["homicide"], null],
    ["uncategorised: the longest finite period (5 y), never the shortest", [], years(5)],
    ["unknown category: treated as uncategorised", ["parking"], years(5)],
    ["several: the longest", ["non-evidence", "traffic stop"], years(1)],
    ["several with forever: forever", ["arrest", "homicide"], null],
    ["known + unknown: the longer of both", ["non-evidence", "parking"], years(5)],
  ] as const)("%s", (_name, cats, expected) => {
    expect(keepUntil(T0, cats, rules)).toBe(expected);
  });

  it("uncategorised with only infinite or no categories is kept forever", () => {
    const none = rulesFromConfig(
      custodyConfigSchema.parse({ categories: { homicide: { retention: "forever" } } }),
    );
    expect(uncategorisedPeriod(none)).toEqual({ kind: "forever" });
    expect(keepUntil(T0, [], none)).toBeNull();
  });

  it("a year is a calendar year (leap day kept)", () => {
    const leap = Date.UTC(2027, 11, 31, 0);
    expect(keepUntil(leap, ["traffic stop"], rules)).toBe(Date.UTC(2028, 11, 31, 0));
  });
});

describe("retention state: categories × holds × time", () => {
  // [name, item, days after T0, expected state]
  it.each([
    ["non-evidence, day 89: kept", item({ categories: ["non-evidence"] }), 89, "kept"],
    [
      "non-evidence, day 90: expired (enters the queue)",
      item({ categories: ["non-evidence"] }),
      90,
      "expired",
    ],
    ["non-evidence, held, day 400: held", item({ categories: ["non-evidence"], held: true }), 400, "held"],
    ["homicide, day 36500: kept", item({ categories: ["homicide"] }), 36_500, "kept"],
    ["uncategorised, day 366: kept (not 90 d)", item(), 366, "kept"],
    ["uncategorised, day 1827: expired", item(), 1827, "expired"],
    [
      "queued on day 90, day 119: queued",
      item({ categories: ["non-evidence"], queuedAt: T0 + 90 * DAY }),
      119,
      "queued",
    ],
    [
      "queued on day 90, day 120: due",
      item({ categories: ["non-evidence"], queuedAt: T0 + 90 * DAY }),
      120,
      "due",
    ],
    [
      "queued, then held: held (not due)",
      item({ categories: ["non-evidence"], queuedAt: T0 + 90 * DAY, held: true }),
      200,
      "held",
    ],
    [
      "queued, recategorised to arrest: kept",
      item({ categories: ["arrest"], queuedAt: T0 + 90 * DAY }),
      120,
      "kept",
    ],
    [
      "restored until day 400, day 399: kept",
      item({ categories: ["non-evidence"], restoredUntil: T0 + 400 * DAY }),
      399,
      "kept",
    ],
    [
      "restored until day 400, day 400: expired again",
      item({ categories: ["non-evidence"], restoredUntil: T0 + 400 * DAY }),
      400,
      "expired",
    ],
    ["deleted stays deleted, held or not", item({ deletedAt: T0 + 5 * DAY, held: true }), 10, "deleted"],
  ] as const)("%s", (_name, it_, days, expected) => {
    expect(retentionState(it_, rules, T0 + days * DAY).state).toBe(expected);
  });

  it("a held item is never due, at any time, whatever its category", () => {
    for (const categories of [[], ["non-evidence"], ["traffic stop"], ["arrest"], ["x"]]) {
      for (const days of [0, 89, 90, 120, 365, 1826, 1827, 3650, 36_500]) {
        for (const queuedAt of [null, T0 + 90 * DAY]) {
          const s = retentionState(item({ categories, held: true, queuedAt }), rules, T0 + days * DAY);
          expect(s.state).toBe("held");
        }
      }
    }
  });
});

describe("the sweep on a fake clock", () => {
  it("lists an expired item for deletionQueueDays, then deletes it; a hold or restore takes it out", () => {
    const clock = new FakeClock(T0);
    const items = new Map<string, CustodyItem>([
      ["ne", item({ id: "ne", categories: ["non-evidence"] })],
      ["ne-held", item({ id: "ne-held", categories: ["non-evidence"] })],
      ["ne-restored", item({ id: "ne-restored", categories: ["non-evidence"] })],
      ["ts", item({ id: "ts", categories: ["traffic stop"] })],
      ["h", item({ id: "h", categories: ["homicide"] })],
    ]);
    const log: string[] = [];
    const sweep = () => {
      const now = clock.now();
      const plan = planSweep([...items.values()], rules, now);
      for (const id of plan.enqueue) items.set(id, { ...(items.get(id) as CustodyItem), queuedAt: now });
      for (const id of plan.dequeue) items.set(id, { ...(items.get(id) as CustodyItem), queuedAt: null });
      for (const id of plan.delete) items.set(id, { ...(items.get(id) as CustodyItem), deletedAt: now });
      const day = Math.round((now - T0) / DAY);
      for (const [k, ids] of Object.entries(plan)) for (const id of ids) log.push(`day ${day} ${k} ${id}`);
    };
    for (let day = 0; day <= 400; day++) {
      if (day === 100) items.set("ne-held", { ...(items.get("ne-held") as CustodyItem), held: true });
      if (day === 110) {
        items.set("ne-restored", {
          ...(items.get("ne-restored") as CustodyItem),
          restoredUntil: clock.now() + rules.restoreDays * DAY,
        });
      }
      sweep();
      clock.advance(DAY);
    }
    expect(log).toEqual([
      "day 90 enqueue ne",
      "day 90 enqueue ne-held",
      "day 90 enqueue ne-restored",
      "day 100 dequeue ne-held",
      "day 110 dequeue ne-restored",
      "day 120 delete ne",
      `day 365 enqueue ts`,
      `day 395 delete ts`,
    ]);
    expect(items.get("h")?.deletedAt).toBeNull();
    expect(items.get("ne-held")?.deletedAt).toBeNull();
  });
});

describe("config check: no shorter retention for held items", () => {
  const held = [
    { id: "a", recordedAt: T0, categories: ["arrest"] },
    { id: "b", recordedAt: T0, categories: [] as string[] },
  ];
  const next = (categories: Record<string, { retention: string }>) =>
    rulesFromConfig(custodyConfigSchema.parse({ categories }));
  it.each([
    [
      "same config",
      {
        "non-evidence": { retention: "90d" },
        "traffic stop": { retention: "1y" },
        arrest: { retention: "5y" },
        homicide: { retention: "forever" },
      },
      [],
    ],
    ["arrest longer", { "non-evidence": { retention: "90d" }, arrest: { retention: "7y" } }, []],
    [
      "arrest shortened to 2 y",
      { "non-evidence": { retention: "90d" }, arrest: { retention: "2y" }, x: { retention: "5y" } },
      ["a"],
    ],
    [
      "a category added: nothing shorter",
      {
        "non-evidence": { retention: "90d" },
        arrest: { retention: "5y" },
        homicide: { retention: "forever" },
        y: { retention: "1y" },
      },
      [],
    ],
    ["arrest removed, longest finite now 1 y", { "traffic stop": { retention: "1y" } }, ["a", "b"]],
  ] as const)("%s → refused for %j", (_name, categories, refused) => {
    const problems = retentionShortenedForHeld(held, rules, next(categories));
    expect(problems.map((p) => p.split(" ")[1])).toEqual(refused);
  });
});
