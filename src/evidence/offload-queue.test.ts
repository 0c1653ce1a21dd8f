import { describe, expect, it } from "vitest";
import { backlogOf, offloadOrder, toCandidate } from "./offload-queue.js";

const c = (
  eventId: string,
  startedAt: number,
  critical = false,
  verified = false,
  manifestUploaded = verified,
) => ({
  eventId,
  startedAt,
  critical,
  verified,
  manifestUploaded,
});

describe("offload order", () => {
  it.each([
    ["oldest first", [c("b", 200), c("a", 100), c("c", 300)], ["a", "b", "c"]],
    [
      "critical before older normal events",
      [c("old", 100), c("crit", 300, true), c("mid", 200)],
      ["crit", "old", "mid"],
    ],
    [
      "several critical: oldest critical first",
      [c("c2", 300, true), c("n", 50), c("c1", 200, true)],
      ["c1", "c2", "n"],
    ],
    ["verified events are not queued", [c("done", 100, true, true), c("todo", 200)], ["todo"]],
    ["same start time: by event id", [c("y", 100), c("x", 100)], ["x", "y"]],
    ["nothing to do", [c("done", 1, false, true)], []],
    [
      "verified, but tagged since (manifest on the server is old)",
      [c("tagged", 1, false, true, false)],
      ["tagged"],
    ],
  ])("%s", (_name, input, expected) => {
    expect(offloadOrder(input).map((x) => x.eventId)).toEqual(expected);
  });

  it.each([
    [{ critical: true }, [], true],
    [{ category: "use-of-force" }, ["use-of-force"], true],
    [{ category: "traffic-stop" }, ["use-of-force"], false],
    [{}, ["use-of-force"], false],
  ])("critical from %j with critical categories %j → %s", (extra, cats, expected) => {
    const cand = toCandidate({ eventId: "e", startedAt: "2026-11-26T14:22:33.000Z", ...extra }, cats);
    expect(cand.critical).toBe(expected);
    expect(cand.startedAt).toBe(Date.UTC(2026, 10, 26, 14, 22, 33));
  });

  it("an event whose offload is verified is done; pending or failed is not", () => {
    const base = { eventId: "e", startedAt: "2026-11-26T14:22:33.000Z" };
    expect(toCandidate({ ...base, offload: { state: "verified" } }, []).verified).toBe(true);
    expect(toCandidate({ ...base, offload: { state: "failed" } }, []).verified).toBe(false);
  });

  it.each([
    ["nothing waits", [], { events: 0, oldestStartedAt: null }],
    ["one event", [c("a", 500)], { events: 1, oldestStartedAt: 500 }],
    [
      "critical first in the queue, yet the oldest is the oldest start",
      [c("crit", 300, true), c("old", 100), c("mid", 200)],
      { events: 3, oldestStartedAt: 100 },
    ],
  ])("backlog: %s", (_name, queue, expected) => {
    expect(backlogOf(queue)).toEqual(expected);
  });
});
