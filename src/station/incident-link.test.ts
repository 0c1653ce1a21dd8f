import { describe, expect, it } from "vitest";
import { chooseTimeLink, type TimeCandidate } from "./incident-link.js";

const t = (s: number) => new Date(Date.UTC(2026, 10, 26, 14, 0, s)).toISOString();
const ev = (eventId: string, from: number, to: number, byCam = false): TimeCandidate => ({
  eventId,
  start: t(from),
  end: t(to),
  byCam,
});

describe("which incident a clip without an event id joins", () => {
  it.each([
    ["no candidates", [], null],
    ["no overlap", [ev("a", 100, 200)], null],
    ["touching ends count as overlap", [ev("a", 0, 10)], "a"],
    ["the longest overlap wins", [ev("a", 0, 15), ev("b", 15, 60)], "b"],
    ["a cam match beats a longer officer match", [ev("a", 0, 60), ev("b", 35, 60, true)], "b"],
    ["equal overlap: the earlier event", [ev("b", 20, 40), ev("a", 10, 30)], "a"],
  ] as const)("%s", (_what, candidates, expected) => {
    expect(chooseTimeLink({ start: t(10), end: t(40) }, candidates)).toBe(expected);
  });
});
