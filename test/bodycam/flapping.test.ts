import { readFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { startTempDaemon } from "../support/temp-daemon.js";

/**
 * Issue 11 (classes to sweep): a flapping body cam wrote 103 audit entries (each fsync'd) in 10 s.
 * A real daemon with its embedded broker; a cam (its own identity) toggling its activation 80 times,
 * every 20 ms.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface AuditLine {
  type: string;
  decision?: string;
  code?: string;
  message?: string;
}

describe("a flapping body cam", () => {
  it("cannot make the daemon write an audit entry per change; the start and a summary are kept", async () => {
    const { daemon, dir, stop, component } = await startTempDaemon(
      {
        vehicle: { id: "flap1" },
        mqtt: { protocolVersion: 4, embeddedBroker: { enabled: true, port: 0 } },
        bodycams: { paired: [{ id: "bc1", password: "pw-bc1" }] },
        control: { statusPage: { enabled: false } },
      },
      cleanups,
    );
    const url = component("bodycam-sync")?.embeddedBroker;
    if (typeof url !== "string") throw new Error("no embedded broker");
    const cam = await mqtt.connectAsync(url, {
      clientId: "bc1",
      username: "bc1",
      password: "pw-bc1",
      protocolVersion: 4,
    });
    cleanups.push(() => cam.endAsync(true));
    const topic = "camsync/v1/flap1/bodycam/bc1/activation";
    // A fixed number of edges (not a time box: a loaded machine must not make it flap less), all well
    // inside the guard's 10 s window and far above its 6 edges per window.
    const edges = 80;
    for (let i = 0; i < edges; i++) {
      const active = i % 2 === 0;
      await cam.publishAsync(topic, JSON.stringify({ v: 1, active, at: new Date().toISOString() }), {
        qos: 1,
      });
      await new Promise((res) => setTimeout(res, 20));
    }
    // The car is recording (started by the cam's first start), whatever the flapping.
    expect(daemon.status()).toMatchObject({ state: "active" });
    await stop();

    const audit = readFileSync(join(dir, "audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditLine);
    const decisions = audit.filter((e) => e.type === "decision");
    expect(decisions[0]?.decision).toBe("event-start");
    expect(decisions.length, "decisions written for the flapping").toBeLessThanOrEqual(6);
    const summary = audit.find((e) => e.type === "alert" && e.code === "bodycam-flapping");
    expect(summary?.message).toMatch(/body cam bc1 is flapping: \d+ trigger changes/);
    // The daemon really saw the flapping: most of the 80 edges were held (coalesced), not just published.
    const changes = Number(summary?.message?.match(/flapping: (\d+) trigger changes/)?.[1]);
    expect(changes).toBeGreaterThan(60);
    expect(audit.length).toBeLessThanOrEqual(15);
  });
});
