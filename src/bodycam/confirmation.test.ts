import { beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import type { BodycamConfirmation } from "../core/event-bus.js";
import { type CamReport, ConfirmationTracker } from "./confirmation.js";

const EV = "20261126T142233Z-unit12-3f9a";
const EV2 = "20261126T150000Z-unit12-0b0b";
const online = (recording = false, eventId: string | null = null): CamReport => ({
  online: true,
  recording,
  eventId,
});
const offline: CamReport = { online: false, recording: false, eventId: null };

describe("ConfirmationTracker", () => {
  let clock: FakeClock;
  let log: string[];
  let confirmations: BodycamConfirmation[];
  let tracker: ConfirmationTracker;

  beforeEach(() => {
    clock = new FakeClock();
    log = [];
    confirmations = [];
    tracker = new ConfirmationTracker({
      clock,
      timeoutMs: 3000,
      maxResends: 2,
      sink: {
        confirmed: (c, late) => {
          confirmations.push(c);
          log.push(`confirmed ${c.bodycamId} ${c.latencyMs}${late ? " late" : ""}`);
        },
        unconfirmed: (c) => {
          confirmations.push(c);
          log.push(`unconfirmed ${c.bodycamId}`);
        },
        resend: (ev, ids) => log.push(`resend ${ev === EV ? "EV" : ev} ${ids.join(",")}`),
      },
    });
  });

  it("records each online cam's latency when it reports recording the event", () => {
    tracker.activate(EV, [
      ["bc1", online()],
      ["bc2", online()],
      ["bc3", offline],
    ]);
    clock.advance(120);
    tracker.report("bc1", online(true, EV));
    clock.advance(300);
    tracker.report("bc2", online(true, EV));
    clock.advance(10_000);
    expect(log).toEqual(["confirmed bc1 120", "confirmed bc2 420"]);
    expect(confirmations[0]).toMatchObject({ eventId: EV, bodycamId: "bc1", latencyMs: 120 });
    expect(confirmations[0]?.confirmedAt).toBe((confirmations[0]?.commandedAt ?? 0) + 120);
    expect(clock.timerCount).toBe(0);
  });

  it("does not count recording for another event, or not recording, as a confirmation", () => {
    tracker.activate(EV, [["bc1", online()]]);
    tracker.report("bc1", online(true, EV2));
    tracker.report("bc1", online(false, EV));
    tracker.report("bc1", online(true, null));
    expect(log).toEqual([]);
  });

  it("a cam already recording the event when it is activated confirms at once", () => {
    tracker.activate(EV, [["bc1", online(true, EV)]]);
    expect(log).toEqual(["confirmed bc1 0"]);
  });

  it("alerts once per cam, re-sends up to maxResends, and records a late confirmation", () => {
    tracker.activate(EV, [
      ["bc1", online()],
      ["bc2", online()],
    ]);
    clock.advance(2999);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(["unconfirmed bc1", "unconfirmed bc2", "resend EV bc1,bc2"]);
    tracker.report("bc2", online(true, EV));
    clock.advance(3000);
    clock.advance(3000);
    clock.advance(30_000);
    expect(log).toEqual([
      "unconfirmed bc1",
      "unconfirmed bc2",
      "resend EV bc1,bc2",
      "confirmed bc2 3000 late",
      "resend EV bc1",
    ]);
    expect(confirmations.find((c) => c.bodycamId === "bc1")).toMatchObject({
      confirmedAt: null,
      latencyMs: null,
    });
    expect(clock.timerCount).toBe(0);
  });

  it("a cam that comes online mid-event is expected from then on and counted when it confirms", () => {
    tracker.activate(EV, [["bc1", online(true, EV)]]);
    clock.advance(5000);
    tracker.report("bc2", online());
    clock.advance(250);
    tracker.report("bc2", online(true, EV));
    expect(log).toEqual(["confirmed bc1 0", "confirmed bc2 250"]);
    expect(tracker.confirmations().map((c) => c.bodycamId)).toEqual(["bc1", "bc2"]);
  });

  it("a cam that goes offline before confirming is no longer waited for", () => {
    tracker.activate(EV, [["bc1", online()]]);
    clock.advance(1000);
    tracker.report("bc1", offline);
    clock.advance(10_000);
    expect(log).toEqual([]);
    expect(clock.timerCount).toBe(0);
  });

  it("joins of the same event do not restart the clock; a new event does; end releases the timer", () => {
    tracker.activate(EV, [["bc1", online()]]);
    clock.advance(2000);
    tracker.activate(EV, [["bc1", online()]]);
    clock.advance(1000);
    expect(log).toEqual(["unconfirmed bc1", "resend EV bc1"]);
    tracker.activate(EV2, [["bc1", online()]]);
    clock.advance(100);
    tracker.report("bc1", online(true, EV2));
    expect(log.at(-1)).toBe("confirmed bc1 100");
    tracker.end();
    expect(clock.timerCount).toBe(0);
    tracker.report("bc1", online(true, EV2));
    expect(log).toHaveLength(3);
  });
});
