import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { recordingBus } from "../../test/support/recording-bus.js";
import { backoffDelay } from "../core/backoff.js";
import { LinkSupervisor } from "./link-supervisor.js";

const flush = () => new Promise((r) => setImmediate(r));

function rig(outcomes: (string | null)[]) {
  const clock = new FakeClock();
  const { bus, health, alerts } = recordingBus();
  let attempts = 0;
  let disconnects = 0;
  const attemptTimes: number[] = [];
  const sup = new LinkSupervisor({
    clock,
    bus,
    component: "can",
    device: "/dev/serial/by-id/usb-CANable",
    alertCode: "serial-disconnected",
    backoff: { initialMs: 100, maxMs: 800 },
    connect: async () => {
      attemptTimes.push(clock.monotonic());
      const outcome = outcomes[attempts++] ?? null;
      if (outcome !== null) throw new Error(outcome);
    },
    disconnect: async () => {
      disconnects++;
    },
  });
  return { clock, sup, health, alerts, attemptTimes, disconnects: () => disconnects };
}

describe("backoffDelay", () => {
  it.each([
    [0, 100],
    [1, 200],
    [2, 400],
    [3, 800],
    [10, 800],
    [1000, 800],
  ])("failure %d waits %d ms", (n, ms) => {
    expect(backoffDelay(n, { initialMs: 100, maxMs: 800 })).toBe(ms);
  });
});

describe("LinkSupervisor", () => {
  it("retries a missing device with growing backoff, reports down once with one alert, then ok", async () => {
    const r = rig(["ENOENT", "ENOENT", "ENOENT", "ENOENT", "ENOENT", null]);
    r.sup.start();
    await flush();
    expect(r.sup.current).toBe("waiting");
    for (const step of [100, 200, 400, 800, 800]) {
      r.clock.advance(step - 1);
      await flush();
      expect(r.sup.current).toBe("waiting");
      r.clock.advance(1);
      await flush();
    }
    expect(r.attemptTimes).toEqual([0, 100, 300, 700, 1500, 2300]);
    expect(r.sup.current).toBe("up");
    expect(r.health.map((h) => h.state)).toEqual(["down", "ok"]);
    expect(r.health[0]?.detail).toBe("/dev/serial/by-id/usb-CANable: ENOENT");
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({
      code: "serial-disconnected",
      severity: "warning",
      device: "/dev/serial/by-id/usb-CANable",
    });
    expect(r.clock.timerCount).toBe(0);
  });

  it("reconnects after a loss, resets the backoff, and raises a new alert per outage", async () => {
    const r = rig([null, "gone", null, null]);
    r.sup.start();
    await flush();
    expect(r.sup.current).toBe("up");
    r.sup.lost("adapter disconnected");
    expect(r.sup.current).toBe("waiting");
    expect(r.health.at(-1)).toMatchObject({
      state: "down",
      detail: "/dev/serial/by-id/usb-CANable: adapter disconnected",
    });
    r.clock.advance(100);
    await flush();
    expect(r.health.at(-1)).toMatchObject({ state: "down", detail: "/dev/serial/by-id/usb-CANable: gone" });
    r.clock.advance(200);
    await flush();
    expect(r.sup.current).toBe("up");
    expect(r.sup.status()).toMatchObject({ state: "up", reconnects: 1, lastError: null });
    r.sup.lost("adapter disconnected");
    r.clock.advance(100); // backoff was reset by the successful connect
    await flush();
    expect(r.sup.current).toBe("up");
    expect(r.alerts).toHaveLength(2);
    expect(r.health.map((h) => h.state)).toEqual(["ok", "down", "down", "ok", "down", "ok"]);
  });

  it("stop() cancels the retry timer and ignores a connect that finishes late", async () => {
    const r = rig(["ENOENT"]);
    r.sup.start();
    await flush();
    expect(r.clock.timerCount).toBe(1);
    await r.sup.stop();
    expect(r.clock.timerCount).toBe(0);
    expect(r.sup.current).toBe("stopped");
    r.clock.advance(10_000);
    await flush();
    expect(r.attemptTimes).toEqual([0]);
  });
});
