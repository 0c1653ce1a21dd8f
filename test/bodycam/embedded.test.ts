import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BodycamSync } from "../../src/bodycam/bodycam-sync.js";
import { bodycamConfigSchema, mqttConfigSchema } from "../../src/bodycam/config.js";
import { ReferenceBodycam } from "../../src/bodycam/reference-bodycam.js";
import type { Decision } from "../../src/core/activation.js";
import { systemClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import { type BrokerFixture, embeddedFixture, waitFor } from "./harness.js";
import { brokerScenarios } from "./scenarios.js";

/** Body-cam sync on its own embedded broker (paired: bc1) with these observers. */
function syncWithObservers(
  dataDir: string,
  observers: { username: string; password: string }[],
): BodycamSync {
  return new BodycamSync({
    config: {
      mqtt: mqttConfigSchema.parse({ embeddedBroker: { enabled: true, port: 0, observers } }),
      bodycams: bodycamConfigSchema.parse({ paired: [{ id: "bc1", password: "pw-1" }] }),
    },
    vehicle: { id: "demo9" },
    dataDir,
    bus: new EventBus(),
    clock: systemClock,
    logger: silentLogger(),
  });
}

describe("body-cam sync on the embedded broker (aedes, MQTT 3.1.1, same ACL)", () => {
  let broker: BrokerFixture;
  beforeAll(async () => {
    broker = await embeddedFixture();
  });
  afterAll(async () => {
    await broker?.close();
  });
  brokerScenarios(() => broker);
});

describe("the daemon's own embedded broker (mqtt.embeddedBroker.enabled, as in the demo)", () => {
  it("starts the broker, admits paired cams by password only, and syncs them", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "camsync-emb-"));
    const bus = new EventBus();
    const decisions: Decision[] = [];
    bus.on("decision", (d) => decisions.push(d));
    const sync = new BodycamSync({
      config: {
        mqtt: mqttConfigSchema.parse({ embeddedBroker: { enabled: true, port: 0 } }),
        bodycams: bodycamConfigSchema.parse({ paired: [{ id: "bc1", password: "pw-1" }, { id: "bc2" }] }),
      },
      vehicle: { id: "demo9" },
      dataDir,
      bus,
      clock: systemClock,
      logger: silentLogger(),
    });
    const cams: ReferenceBodycam[] = [];
    try {
      await sync.start();
      const url = sync.status().embeddedBroker as string;
      expect(url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
      await waitFor("daemon connected", () => sync.status().connected === true);
      const bc1 = new ReferenceBodycam({ id: "bc1", vehicleId: "demo9", url, password: "pw-1" });
      cams.push(bc1);
      await bc1.start();
      for (const [id, password] of [
        ["bc1", "wrong"],
        ["bc2", "anything"],
        ["bc9", "pw-1"],
      ] as const) {
        const intruder = new ReferenceBodycam({ id, vehicleId: "demo9", url, password });
        cams.push(intruder);
        await expect(intruder.start(500)).rejects.toThrow(/no broker/);
      }
      bus.emit("decision", {
        type: "event-start",
        eventId: "20261126T142233Z-demo9-abcd",
        origin: { kind: "lightbar", id: "lightbar" },
        preEventSeconds: 30,
        at: Date.now(),
        reason: "lights",
        seq: 1,
      });
      await waitFor("bc1 recording", () => bc1.recording && bc1.eventId === "20261126T142233Z-demo9-abcd");
    } finally {
      await Promise.all(cams.map((c) => c.stop()));
      await sync.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("admits an observer (mqtt.embeddedBroker.observers) that reads the cars' status and uploads and publishes nothing", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "camsync-emb-"));
    const reader = { username: "station", password: "observer-password-1" };
    const sync = syncWithObservers(dataDir, [reader]);
    const clients: MqttClient[] = [];
    try {
      await sync.start();
      const url = sync.status().embeddedBroker as string;
      await waitFor("daemon connected", () => sync.status().connected === true);
      // its client id is its identity: any other is refused
      await expect(
        mqtt.connectAsync(url, { ...reader, clientId: "camsync-station-1", reconnectPeriod: 0 }),
      ).rejects.toThrow();
      const client = await mqtt.connectAsync(url, {
        ...reader,
        clientId: reader.username,
        reconnectPeriod: 0,
      });
      clients.push(client);
      const statuses: string[] = [];
      client.on("message", (topic) => statuses.push(topic));
      const granted = await client.subscribeAsync(["camsync/v1/+/status", "camsync/v1/+/upload"], { qos: 1 });
      expect(granted.map((g) => g.qos)).toEqual([1, 1]);
      for (const denied of ["camsync/v1/+/bodycam/+/status", "camsync/v1/+/alert", "camsync/v1/#"])
        await expect(client.subscribeAsync(denied, { qos: 1 }), denied).rejects.toThrow(/Subscribe error/);
      await waitFor("the car's retained status", () => statuses.includes("camsync/v1/demo9/status"));
      // it publishes nothing, not even as a body cam of its name: the broker drops a client that tries
      const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
      client.publish("camsync/v1/demo9/bodycam/station/status", JSON.stringify({ v: 1, online: true }), {
        qos: 1,
      });
      await closed;
      expect(sync.status().connected).toBe(true);
    } finally {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await sync.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses an observer under the daemon's, a paired cam's or another observer's name", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "camsync-emb-"));
    const named = (username: string) => ({ username, password: "observer-password-1" });
    for (const observers of [[named("camsync")], [named("bc1")], [named("station"), named("station")]]) {
      const sync = syncWithObservers(dataDir, observers);
      try {
        await expect(sync.start()).rejects.toThrow(/observers\[\d\]\.username '.*' is already/);
      } finally {
        await sync.stop();
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
});
