import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReconnectingMqttLink } from "../../src/bodycam/mqtt-link.js";
import { systemClock } from "../../src/core/clock.js";
import { type BrokerFixture, mosquittoFixture, repoRoot, waitFor } from "./harness.js";

// A body cam in another process: it prints the wall-clock time each activation arrives.
const SUBSCRIBER = `
import mqtt from "mqtt";
const [url, ca, cert, key, topic] = process.argv.slice(1);
const fs = await import("node:fs");
const c = mqtt.connect(url, { clientId: "bc1", ca: fs.readFileSync(ca), cert: fs.readFileSync(cert), key: fs.readFileSync(key), reconnectPeriod: 0 });
c.on("connect", () => c.subscribe(topic, { qos: 1 }, () => console.log("ready")));
c.on("message", (_t, payload) => console.log(JSON.stringify({ at: Date.now(), payload: payload.toString() })));
`;

/** Blocks the event loop, as the audit log's fsync and the recorder's links do after a decision. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

describe("MQTT link publish", () => {
  let broker: BrokerFixture;
  let sub: ChildProcess | undefined;
  beforeAll(async () => {
    broker = await mosquittoFixture();
  });
  afterAll(async () => {
    sub?.kill();
    await broker?.close();
  });

  it("puts the packet on the socket at once, not after the rest of the event-loop turn", async () => {
    const mq = broker.daemonMqtt();
    const { url, caFile, certFile, keyFile } = mq;
    if (!url || !caFile || !certFile || !keyFile) throw new Error("the Mosquitto fixture serves TLS");
    const certDir = join(caFile, "..");
    const topic = "camsync/v1/flush/activation";
    sub = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        SUBSCRIBER,
        url,
        caFile,
        join(certDir, "bc1.crt"),
        join(certDir, "bc1.key"),
        topic,
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
    );
    const lines: string[] = [];
    sub.stdout?.on("data", (b: Buffer) => lines.push(...b.toString().trim().split("\n")));
    await waitFor("subscriber ready", () => lines.includes("ready"), 10_000);

    const link = new ReconnectingMqttLink({
      url,
      clientId: "camsync-flush",
      ca: readFileSync(caFile),
      cert: readFileSync(certFile),
      key: readFileSync(keyFile),
      protocolVersion: 5,
      sessionExpirySeconds: 0,
      keepaliveSeconds: 5,
      will: { topic: "camsync/v1/flush/status", payload: '{"v":1,"online":false}', retain: true },
      subscriptions: [],
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      clock: systemClock,
    });
    link.start();
    try {
      await waitFor("link up", () => link.connected, 10_000);
      const sentAt = Date.now();
      expect(link.publish(topic, JSON.stringify({ n: 1 }), { retain: false })).toBe(true);
      busy(400); // the rest of this turn: the packet must already be on its way
      await waitFor("delivered", () => lines.some((l) => l.startsWith("{")), 10_000);
      const got = JSON.parse(lines.find((l) => l.startsWith("{")) ?? "{}") as { at: number };
      expect(got.at - sentAt).toBeLessThan(300);
    } finally {
      await link.close();
    }
  });
});
