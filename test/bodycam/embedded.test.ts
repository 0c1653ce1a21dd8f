import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
});
