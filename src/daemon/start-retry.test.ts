import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { recordingBus } from "../../test/support/recording-bus.js";
import type { Component } from "../core/component.js";
import { silentLogger } from "../core/logger.js";
import { StartRetry } from "./start-retry.js";

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** A component whose start fails with each given message in turn, then succeeds. */
function flaky(failures: string[]) {
  const calls: string[] = [];
  const c: Component = {
    name: "status-page",
    async start() {
      calls.push("start");
      const f = failures.shift();
      if (f) throw new Error(f);
    },
    async stop() {
      calls.push("stop");
    },
  };
  return { c, calls };
}

function rig(failures: string[]) {
  const clock = new FakeClock();
  const { bus, health, alerts } = recordingBus();
  const { c, calls } = flaky(failures);
  const up: string[] = [];
  const retry = new StartRetry(c, {
    bus,
    clock,
    logger: silentLogger(),
    backoff: { initialMs: 100, maxMs: 400 },
    onStarted: (x) => up.push(x.name),
  });
  return { clock, retry, health, alerts, calls, up };
}

describe("StartRetry: a component that failed to start", () => {
  it("is reported down with one critical alert, then retried with backoff (stop, start) until it comes up", async () => {
    const r = rig(["EADDRINUSE", "EADDRINUSE"]);
    r.retry.failed(new Error("listen EADDRINUSE 127.0.0.1:8080"));
    expect(r.health.at(-1)).toMatchObject({ component: "status-page", state: "down" });
    expect(r.alerts).toEqual([
      expect.objectContaining({ code: "component-failed", severity: "critical", device: "status-page" }),
    ]);
    r.clock.advance(99);
    await flush();
    expect(r.calls).toEqual([]);
    r.clock.advance(1); // first retry after 100 ms: fails again
    await flush();
    expect(r.calls).toEqual(["stop", "start"]);
    r.clock.advance(199);
    await flush();
    expect(r.calls).toHaveLength(2);
    r.clock.advance(1); // second retry after 200 ms: fails (the second failure message)
    await flush();
    r.clock.advance(400); // third after 400 ms: comes up
    await flush();
    expect(r.calls).toEqual(["stop", "start", "stop", "start", "stop", "start"]);
    expect(r.up).toEqual(["status-page"]);
    expect(r.health.at(-1)).toMatchObject({ component: "status-page", state: "ok" });
    expect(r.alerts).toHaveLength(1); // one alert per outage, not per attempt
    await r.retry.stop(); // started: the daemon stops it with the others, not the retry
    expect(r.calls.at(-1)).toBe("start");
  });

  it("stopped while waiting: no further attempt, and what the failed start left is released", async () => {
    const r = rig([]);
    r.retry.failed(new Error("the audit log is in use by process 42"));
    await r.retry.stop();
    r.clock.advance(60_000);
    await flush();
    expect(r.calls).toEqual(["stop"]);
    expect(r.up).toEqual([]);
  });
});
