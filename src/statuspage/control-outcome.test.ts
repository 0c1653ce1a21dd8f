import { describe, expect, it } from "vitest";
import { controlOutcome } from "./control-outcome.js";

const result = (decisions: object[], state = "active", eventId: string | null = "demo1-1") => ({
  ok: true as const,
  result: { before: null, decisions, state, eventId },
});

describe("controlOutcome", () => {
  it.each([
    [
      "start",
      result([{ type: "event-start", eventId: "demo1-1" }]),
      true,
      "Recording started (event demo1-1)",
    ],
    [
      "start",
      result([{ type: "event-join", eventId: "demo1-1", continued: false }]),
      true,
      "Already recording (event demo1-1)",
    ],
    [
      "start",
      result([{ type: "event-join", eventId: "demo1-1", continued: true }]),
      true,
      "Recording continued (event demo1-1)",
    ],
    ["mark", result([{ type: "mark", eventId: "demo1-1" }]), true, "Marked (event demo1-1)"],
    [
      "stop",
      result([{ type: "stop-requested", eventId: "demo1-1", postRollSeconds: 5 }], "post-roll"),
      true,
      "Stopping: recording continues for 5 s of post-roll",
    ],
    [
      "stop",
      result([
        {
          type: "stop-refused",
          eventId: "demo1-1",
          reason: "only a manual action in the car stops recording",
        },
      ]),
      false,
      "Stop refused: only a manual action in the car stops recording",
    ],
    [
      "mark",
      result([{ type: "ignored", eventId: null, reason: "mark while idle: no event to mark" }], "idle", null),
      false,
      "Nothing done: mark while idle: no event to mark",
    ],
    // A post-roll that ran out just before the start: the start is what the officer asked about.
    [
      "start",
      result([
        { type: "event-end", eventId: "demo1-0" },
        { type: "event-start", eventId: "demo1-1" },
      ]),
      true,
      "Recording started (event demo1-1)",
    ],
    [
      "start",
      { ok: false as const, error: "'trigger' is not available in this daemon" },
      false,
      "camsync refused start: 'trigger' is not available in this daemon",
    ],
  ] as const)("%s with %j", (action, response, ok, message) => {
    expect(controlOutcome(action, response)).toMatchObject({ ok, message });
  });

  it("reports the state and event after the command", () => {
    expect(controlOutcome("start", result([{ type: "event-start", eventId: "demo1-1" }]))).toEqual({
      ok: true,
      message: "Recording started (event demo1-1)",
      state: "active",
      eventId: "demo1-1",
    });
  });
});
