import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { FakeMqttLink } from "../../test/support/fake-mqtt-link.js";
import { ActivationEngine, type Decision } from "../core/activation.js";
import { activationConfigSchema } from "../core/config.js";
import { type Alert, type BodycamConfirmation, EventBus } from "../core/event-bus.js";
import { silentLogger } from "../core/logger.js";
import type { Trigger } from "../core/trigger.js";
import { BodycamSync } from "./bodycam-sync.js";
import { bodycamConfigSchema, mqttConfigSchema } from "./config.js";

/** The default policy, from the schema (the one place defaults are written). */
const DEFAULT_POLICY = activationConfigSchema.parse({});

const R = "camsync/v1/unit12";
const iso = (clock: FakeClock) => new Date(clock.now()).toISOString();

interface Harness {
  sync: BodycamSync;
  link: FakeMqttLink;
  bus: EventBus;
  triggers: Trigger[];
  alerts: Alert[];
  confirmations: BodycamConfirmation[];
}

describe("BodycamSync (daemon side, fake broker link, fake clock)", () => {
  let dataDir: string;
  let clock: FakeClock;
  const running: BodycamSync[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "camsync-sync-"));
    clock = new FakeClock();
  });
  afterEach(async () => {
    for (const s of running.splice(0)) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function harness(opts: { engine?: boolean; paired?: string[] } = {}): Promise<Harness> {
    const bus = new EventBus();
    bus.setListenerErrorHandler((err) => {
      throw err;
    });
    const link = new FakeMqttLink();
    const sync = new BodycamSync({
      config: {
        mqtt: mqttConfigSchema.parse({}),
        bodycams: bodycamConfigSchema.parse({
          paired: (opts.paired ?? ["bc1", "bc2"]).map((id) => ({ id })),
          maxResends: 1,
        }),
      },
      vehicle: { id: "unit12" },
      dataDir,
      bus,
      clock,
      logger: silentLogger(),
      connect: () => link,
    });
    const h: Harness = { sync, link, bus, triggers: [], alerts: [], confirmations: [] };
    bus.on("trigger", (t) => h.triggers.push(t));
    bus.on("alert", (a) => h.alerts.push(a));
    bus.on("bodycam-confirmation", (c) => h.confirmations.push(c));
    if (opts.engine) {
      const engine = new ActivationEngine(DEFAULT_POLICY, { vehicleId: "unit12", idSuffix: () => "abcd" });
      bus.on("trigger", (t) => {
        for (const d of engine.handleTrigger(t)) bus.emit("decision", d);
      });
    }
    await sync.start();
    running.push(sync);
    return h;
  }

  const startBy = (h: Harness, kind: "lightbar" | "button" | "can", id: string) =>
    h.bus.emit("trigger", { origin: { kind, id }, active: true, at: clock.now(), reason: `${kind} ${id}` });

  const camStatus = (recording: boolean, eventId: string | null) => ({
    v: 1,
    online: true,
    recording,
    eventId,
    battery: 90,
    at: iso(clock),
  });

  it("publishes the activation (retained) for a car trigger and records each cam's confirmation", async () => {
    const h = await harness({ engine: true });
    h.link.goUp();
    h.link.deliver(`${R}/bodycam/bc1/status`, camStatus(false, null), true);
    h.link.deliver(`${R}/bodycam/bc2/status`, camStatus(false, null), true);
    startBy(h, "lightbar", "lightbar");
    const acts = h.link.sent(`${R}/activation`) as {
      eventId: string;
      active: boolean;
      origin: unknown;
      seq: number;
    }[];
    expect(acts).toHaveLength(1);
    expect(acts[0]).toMatchObject({
      v: 1,
      active: true,
      origin: { kind: "lightbar", id: "lightbar" },
      seq: 1,
    });
    expect(h.link.published.find((p) => p.topic === `${R}/activation`)?.retain).toBe(true);
    const eventId = acts[0]?.eventId ?? "";
    clock.advance(40);
    h.link.deliver(`${R}/bodycam/bc1/status`, camStatus(true, eventId), true);
    clock.advance(60);
    h.link.deliver(`${R}/bodycam/bc2/status`, camStatus(true, eventId), true);
    expect(h.confirmations.map((c) => [c.bodycamId, c.latencyMs])).toEqual([
      ["bc1", 40],
      ["bc2", 100],
    ]);
    clock.advance(10_000);
    expect(h.alerts.filter((a) => a.code === "bodycam-unconfirmed")).toEqual([]);
    clock.advance(100);
    const status = h.link.sent(`${R}/status`).at(-1) as {
      state: string;
      eventId: string;
      bodycams: unknown[];
    };
    expect(status).toMatchObject({ state: "active", eventId });
    expect(status.bodycams).toEqual([
      { id: "bc1", online: true, recording: true, eventId, battery: 90, confirmed: true },
      { id: "bc2", online: true, recording: true, eventId, battery: 90, confirmed: true },
    ]);
  });

  it("measures its own trigger → publish and publish → confirmation latencies, in status and R/status", async () => {
    const h = await harness();
    h.link.goUp();
    h.link.deliver(`${R}/bodycam/bc1/status`, camStatus(false, null), true);
    h.link.deliver(`${R}/bodycam/bc2/status`, camStatus(false, null), true);
    const eventId = "20261126T142233Z-unit12-abcd";
    const inputMono = clock.monotonic();
    clock.advance(3); // the engine and its journal took 3 ms
    h.bus.emit(
      "decision",
      {
        type: "event-start",
        eventId,
        origin: { kind: "lightbar", id: "lightbar" },
        reason: "lights on",
        at: clock.now(),
        seq: 1,
      } as Decision,
      { inputMono },
    );
    clock.advance(25);
    h.link.deliver(`${R}/bodycam/bc1/status`, camStatus(true, eventId), true);
    clock.advance(50);
    h.link.deliver(`${R}/bodycam/bc2/status`, camStatus(true, eventId), true);
    const expected = {
      triggerToPublishMs: { count: 1, p50: 3, p99: 3, max: 3 },
      publishToConfirmationMs: { count: 2, p50: 25, p99: 75, max: 75 },
    };
    expect(h.sync.status().latency).toEqual(expected);
    clock.advance(1000);
    const status = h.link.sent(`${R}/status`).at(-1) as { latency: unknown };
    expect(status.latency).toEqual(expected);
  });

  it("turns a paired body cam's own start into one trigger (QoS 1 duplicates are idempotent)", async () => {
    const h = await harness({ engine: true });
    h.link.goUp();
    const start = { v: 1, active: true, at: iso(clock) };
    h.link.deliver(`${R}/bodycam/bc1/activation`, start);
    h.link.deliver(`${R}/bodycam/bc1/activation`, start);
    h.link.deliver(`${R}/bodycam/bc1/activation`, { ...start, at: new Date(clock.now() + 5).toISOString() });
    expect(h.triggers.map((t) => [t.origin.kind, t.origin.id, t.active])).toEqual([["bodycam", "bc1", true]]);
    const acts = h.link.sent(`${R}/activation`) as { origin: { kind: string; id: string } }[];
    expect(acts).toHaveLength(1);
    expect(acts[0]?.origin).toEqual({ kind: "bodycam", id: "bc1" });
    // The officer stops the body cam: the trigger clears; the car keeps recording (default policy).
    h.link.deliver(`${R}/bodycam/bc1/activation`, { v: 1, active: false, at: iso(clock) });
    expect(h.triggers.at(-1)).toMatchObject({ active: false });
    expect((h.link.sent(`${R}/activation`) as { active: boolean }[]).every((a) => a.active)).toBe(true);
  });

  it("ignores and alerts unpaired ids, without parsing their payloads", async () => {
    const h = await harness({ engine: true });
    h.link.goUp();
    h.link.deliver(`${R}/bodycam/intruder/activation`, { v: 1, active: true, at: iso(clock) });
    h.link.deliver(`${R}/bodycam/intruder/activation`, "garbage");
    h.link.deliver(`${R}/bodycam/intruder/status`, camStatus(true, null));
    expect(h.triggers).toEqual([]);
    expect(h.alerts.map((a) => [a.code, a.device])).toEqual([["bodycam-unpaired", "intruder"]]);
    expect(h.sync.status()).toMatchObject({ received: { unpaired: 3 }, droppedPayloads: { "not-json": 0 } });
  });

  it("ignores its own echo and the retained copy, and alerts a foreign activation", async () => {
    const h = await harness({ engine: true, paired: [] });
    h.link.goUp();
    startBy(h, "button", "dash");
    const own = h.link.published.find((p) => p.topic === `${R}/activation`);
    if (!own) throw new Error("no activation published");
    h.link.deliver(own.topic, own.payload, false);
    h.link.deliver(own.topic, own.payload, true);
    expect(h.alerts).toEqual([]);
    expect(h.triggers).toHaveLength(1);
    const foreign = { ...JSON.parse(own.payload), seq: 999, reason: "someone else" };
    h.link.deliver(own.topic, foreign, false);
    expect(h.alerts.map((a) => a.code)).toEqual(["activation-foreign"]);
    expect(h.sync.status()).toMatchObject({ received: { echoes: 2, foreign: 1 } });
  });

  it("drops malformed payloads with a count and keeps working", async () => {
    const h = await harness({ engine: true });
    h.link.goUp();
    const bad: (string | Buffer | object)[] = [
      Buffer.from([0, 1, 2, 255, 254]),
      { v: 1, active: "yes", at: iso(clock) },
      { v: 2, active: true, at: iso(clock) },
      { v: 1, active: true, at: iso(clock), pad: "x".repeat(20_000) },
      `{"v":1,"active":true,"at":"${iso(clock)}","x":${"[".repeat(50)}${"]".repeat(50)}}`,
    ];
    for (const p of bad) h.link.deliver(`${R}/bodycam/bc1/activation`, p);
    h.link.deliver(`${R}/bodycam/bc1/status`, { v: 1, online: "true" });
    expect(h.triggers).toEqual([]);
    expect(h.sync.status()).toMatchObject({
      droppedPayloads: { "not-json": 1, invalid: 2, "unsupported-version": 1, "too-large": 1, "too-deep": 1 },
    });
    h.link.deliver(`${R}/bodycam/bc1/activation`, {
      v: 1,
      active: true,
      at: iso(clock),
      vendorField: { x: 1 },
    });
    expect(h.triggers).toHaveLength(1);
    clock.advance(100);
    expect(h.link.sent(`${R}/status`).at(-1)).toMatchObject({ droppedPayloads: 6 });
  });

  it("alerts and re-sends to a cam that does not confirm in time", async () => {
    const h = await harness({ engine: true });
    h.link.goUp();
    h.link.deliver(`${R}/bodycam/bc1/status`, camStatus(false, null), true);
    startBy(h, "can", "speed");
    expect(h.link.sent(`${R}/activation`)).toHaveLength(1);
    clock.advance(3000);
    expect(h.alerts.map((a) => [a.code, a.device, a.severity])).toEqual([
      ["bodycam-unconfirmed", "bc1", "critical"],
      ["bodycam-offline", "bc2", "warning"],
    ]);
    expect(h.confirmations).toEqual([expect.objectContaining({ bodycamId: "bc1", confirmedAt: null })]);
    expect(h.link.sent(`${R}/activation`)).toHaveLength(2);
    expect(h.link.sent(`${R}/alert`).map((a) => (a as { code: string }).code)).toEqual([
      "bodycam-unconfirmed",
      "bodycam-offline",
    ]);
  });

  it("keeps activations and alerts in the outbox while the broker is down and replays them in order", async () => {
    const h = await harness({ engine: true, paired: [] });
    startBy(h, "lightbar", "lb");
    h.bus.emit("alert", { code: "disk-low", severity: "warning", message: "disk", at: clock.now() });
    expect(h.link.published).toEqual([]);
    expect(h.sync.status()).toMatchObject({ outboxPending: 2, connected: false });
    h.link.goUp();
    const topics = h.link.published.map((p) => p.topic);
    expect(topics.slice(0, 3)).toEqual([`${R}/status`, `${R}/activation`, `${R}/alert`]);
    expect(h.sync.status()).toMatchObject({ outboxPending: 0, connected: true });
    // After a reconnect the retained state is published again (the broker may have lost it).
    h.link.goDown();
    h.link.published.length = 0;
    h.link.goUp();
    expect(h.link.published.map((p) => [p.topic, p.retain])).toEqual([
      [`${R}/status`, true],
      [`${R}/activation`, true],
    ]);
  });

  it("a restarted daemon replays what the killed one had not delivered", async () => {
    const first = await harness({ engine: true, paired: [] });
    first.link.goUp();
    first.link.autoAck = false;
    startBy(first, "lightbar", "lb");
    const sent = first.link.sent(`${R}/activation`);
    expect(sent).toHaveLength(1);
    // killed: no PUBACK ever arrives, no stop(); a new instance starts on the same data dir
    running.splice(0);
    const second = await harness({ paired: [] });
    expect(second.sync.status()).toMatchObject({ outboxPending: 1 });
    second.link.goUp();
    expect(second.link.sent(`${R}/activation`)).toEqual(sent);
    expect(second.sync.status()).toMatchObject({ outboxPending: 0 });
  });

  it("does not call cams offline before their retained statuses had time to arrive", async () => {
    const h = await harness({ engine: true });
    h.link.goUp();
    startBy(h, "lightbar", "lb");
    clock.advance(500);
    h.link.deliver(`${R}/bodycam/bc1/status`, camStatus(false, null), true);
    clock.advance(2500);
    expect(h.alerts.map((a) => [a.code, a.device])).toEqual([["bodycam-offline", "bc2"]]);
    clock.advance(500); // bc1 came online 500 ms late: its own deadline is 500 ms later
    expect(h.alerts.map((a) => [a.code, a.device])).toEqual([
      ["bodycam-offline", "bc2"],
      ["bodycam-unconfirmed", "bc1"],
    ]);
  });

  it("ends a retained activation for an event the car no longer has (state lost), after a grace period", async () => {
    const h = await harness({ paired: [] });
    h.link.goUp();
    const stale = {
      v: 1,
      eventId: "20261126T100000Z-unit12-dead",
      active: true,
      origin: { kind: "lightbar", id: "lb" },
      reason: "old",
      at: iso(clock),
      seq: 41,
    };
    h.link.deliver(`${R}/activation`, stale, true);
    clock.advance(9999);
    expect(h.link.sent(`${R}/activation`)).toEqual([]);
    clock.advance(1);
    expect(h.link.sent(`${R}/activation`)).toEqual([
      expect.objectContaining({ eventId: stale.eventId, active: false, seq: 41, origin: stale.origin }),
    ]);
  });

  it("leaves the retained activation alone when the engine resumes that event", async () => {
    const h = await harness({ paired: [] });
    h.link.goUp();
    const eventId = "20261126T100000Z-unit12-beef";
    h.link.deliver(
      `${R}/activation`,
      {
        v: 1,
        eventId,
        active: true,
        origin: { kind: "lightbar", id: "lb" },
        reason: "old",
        at: iso(clock),
        seq: 41,
      },
      true,
    );
    clock.advance(100);
    h.bus.emit("decision", {
      type: "event-resume",
      eventId,
      origin: { kind: "lightbar", id: "lb" },
      state: "active",
      at: clock.now(),
      reason: "daemon restarted",
      seq: 42,
    });
    clock.advance(10_000);
    expect(h.link.sent(`${R}/activation`)).toEqual([
      expect.objectContaining({ eventId, active: true, seq: 42 }),
    ]);
  });

  it("alerts a low body-cam battery once, and again only after it recovered", async () => {
    const h = await harness();
    h.link.goUp();
    for (const battery of [40, 14, 13, 12, 21, 14, 100]) {
      h.link.deliver(`${R}/bodycam/bc1/status`, { ...camStatus(false, null), battery }, true);
    }
    expect(h.alerts.map((a) => [a.code, a.device, a.message])).toEqual([
      ["bodycam-battery-low", "bc1", "body cam bc1 battery at 14% (below 15%)"],
      ["bodycam-battery-low", "bc1", "body cam bc1 battery at 14% (below 15%)"],
    ]);
  });

  it("reports mqtt health and publishes an offline status on stop", async () => {
    const h = await harness();
    const health: string[] = [];
    h.bus.on("health", (r) => r.component === "mqtt" && health.push(r.state));
    h.link.goUp();
    h.link.goDown();
    await h.sync.stop();
    running.splice(0);
    expect(health).toEqual(["ok", "down"]);
    expect(clock.timerCount).toBe(0);
  });
});
