import { describe, expect, it } from "vitest";
import { planRetention, type RetentionEvent } from "./retention-plan.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 26, 12);
const policy = { keepDaysAfterUpload: 7, reserveBytes: 1000 };
const ev = (eventId: string, verifiedDaysAgo: number | null, bytes = 100): RetentionEvent => ({
  eventId,
  bytes,
  verifiedAt: verifiedDaysAgo === null ? null : NOW - verifiedDaysAgo * DAY,
});

describe("retention plan", () => {
  it.each([
    ["never uploaded, however old", [ev("a", null)], []],
    ["uploaded yesterday", [ev("a", 1)], []],
    ["uploaded 7 days ago exactly", [ev("a", 7)], ["a"]],
    ["uploaded 6.99 days ago", [ev("a", 6.99)], []],
    ["uploaded 30 days ago", [ev("a", 30)], ["a"]],
    ["mixed", [ev("new", 1), ev("old", 8), ev("pending", null), ev("older", 100)], ["old", "older"]],
  ])("%s → delete %j", (_name, events, deleted) => {
    const plan = planRetention(events, NOW, policy, 10_000);
    expect(plan.delete.map((d) => d.eventId)).toEqual(deleted);
    expect(plan.keep.length + plan.delete.length).toBe(events.length);
  });

  it("keepDaysAfterUpload 0 deletes as soon as the upload is verified", () => {
    expect(
      planRetention([ev("a", 0)], NOW, { ...policy, keepDaysAfterUpload: 0 }, 10_000).delete,
    ).toHaveLength(1);
  });

  it("never deletes un-uploaded evidence, at any time in the future, with any disk state", () => {
    const events = [ev("p1", null, 5000), ev("p2", null, 1), ev("u", 3)];
    for (const days of [0, 1, 7, 30, 365, 3650]) {
      for (const free of [0, 500, 1e12]) {
        const deleted = planRetention(events, NOW + days * DAY, policy, free).delete.map((d) => d.eventId);
        expect(deleted).not.toContain("p1");
        expect(deleted).not.toContain("p2");
      }
    }
  });

  it.each([
    ["enough free space", 2000, [ev("p", null, 5000)], null],
    [
      "un-uploaded evidence fills the reserve",
      400,
      [ev("p", null, 5000), ev("u", 1, 300)],
      { freeAfterDeletes: 400, unuploadedBytes: 5000, unuploadedEvents: 1 },
    ],
    ["deleting expired uploads restores the reserve", 400, [ev("p", null, 5000), ev("old", 9, 700)], null],
    [
      "deleting expired uploads is not enough",
      100,
      [ev("p", null, 5000), ev("old", 9, 700)],
      { freeAfterDeletes: 800 },
    ],
  ])("%s", (_name, free, events, critical) => {
    const plan = planRetention(events, NOW, policy, free);
    if (critical === null) expect(plan.storageCritical).toBeNull();
    else expect(plan.storageCritical).toMatchObject({ ...critical, reserveBytes: 1000, freeBytes: free });
  });
});
