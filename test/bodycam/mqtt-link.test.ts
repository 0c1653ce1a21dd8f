import { afterEach, describe, expect, it } from "vitest";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/bodycam/embedded-broker.js";
import { freePort } from "../../src/bodycam/mosquitto-process.js";
import { type MqttLinkOptions, ReconnectingMqttLink } from "../../src/bodycam/mqtt-link.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/logger.js";
import { waitFor } from "./harness.js";

const users = [
  { username: "camsync", password: "right" },
  { username: "bc1", password: "pw" },
];

function linkOptions(port: number, over: Partial<MqttLinkOptions> = {}): MqttLinkOptions {
  return {
    url: `mqtt://127.0.0.1:${port}`,
    clientId: "camsync",
    username: "camsync",
    password: "right",
    protocolVersion: 4,
    sessionExpirySeconds: 60,
    keepaliveSeconds: 5,
    will: { topic: "camsync/v1/t/status", payload: '{"v":1,"online":false}', retain: true },
    subscriptions: ["camsync/v1/t/bodycam/+/status"],
    reconnectMinMs: 20,
    reconnectMaxMs: 100,
    clock: systemClock,
    ...over,
  };
}

describe("ReconnectingMqttLink", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it("keeps retrying while no broker listens, connects when one appears, and survives its restart", async () => {
    const port = await freePort();
    const link = new ReconnectingMqttLink(linkOptions(port));
    cleanup.push(() => link.close());
    const events: string[] = [];
    link.on("connect", () => events.push("connect"));
    link.on("disconnect", () => events.push("disconnect"));
    link.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(link.connected).toBe(false);
    const start = () =>
      startEmbeddedBroker({
        host: "127.0.0.1",
        port,
        vehicleId: "t",
        daemonUsername: "camsync",
        users,
        logger: silentLogger(),
      });
    let broker: EmbeddedBroker = await start();
    cleanup.push(() => broker.close());
    await waitFor("connected", () => link.connected);
    await broker.close();
    await waitFor("disconnected", () => !link.connected);
    broker = await start();
    await waitFor("reconnected", () => link.connected);
    expect(events).toEqual(["connect", "disconnect", "connect"]);
    expect(link.publish("camsync/v1/t/status", "{}", { retain: true })).toBe(true);
  });

  it("a refused identity is retried with backoff and reported, never thrown", async () => {
    const port = await freePort();
    const broker = await startEmbeddedBroker({
      host: "127.0.0.1",
      port,
      vehicleId: "t",
      daemonUsername: "camsync",
      users,
      logger: silentLogger(),
    });
    cleanup.push(() => broker.close());
    const logs: string[] = [];
    const link = new ReconnectingMqttLink(
      linkOptions(port, { password: "wrong", onLog: (_l, m) => logs.push(m) }),
    );
    cleanup.push(() => link.close());
    link.start();
    await waitFor("two refusals", () => logs.filter((l) => /mqtt error/.test(l)).length >= 2, 5000);
    expect(link.connected).toBe(false);
    expect(link.publish("camsync/v1/t/status", "{}", { retain: true })).toBe(false);
  });

  it("reports a subscription the broker's ACL refuses", async () => {
    const port = await freePort();
    const broker = await startEmbeddedBroker({
      host: "127.0.0.1",
      port,
      vehicleId: "t",
      daemonUsername: "camsync",
      users,
      logger: silentLogger(),
    });
    cleanup.push(() => broker.close());
    const logs: string[] = [];
    const link = new ReconnectingMqttLink(
      linkOptions(port, {
        clientId: "bc1",
        username: "bc1",
        password: "pw",
        will: { topic: "camsync/v1/t/bodycam/bc1/status", payload: '{"v":1,"online":false}', retain: true },
        subscriptions: ["camsync/v1/t/activation", "camsync/v1/t/bodycam/+/status"],
        onLog: (_l, m) => logs.push(m),
      }),
    );
    cleanup.push(() => link.close());
    link.start();
    await waitFor("refusal logged", () => logs.some((l) => l.includes("refused")));
    const refusal = logs.find((l) => l.includes("refused")) ?? "";
    expect(refusal).toMatch(/^mqtt subscription refused by the broker \(ACL\?\): /);
    expect(refusal).toContain("camsync/v1/t/bodycam/+/status");
    expect(link.connected).toBe(true);
  });
});
