import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/bodycam/mosquitto-process.js";
import { stationFileSchema } from "../../src/station/config.js";
import { EventsRepository } from "../../src/station/events-repository.js";
import { FleetRepository } from "../../src/station/fleet-repository.js";
import { Station } from "../../src/station/station.js";
import { silentStationLogger } from "../../src/station/station-logger.js";
import { tempDataDir } from "../evidence/event-fixture.js";
import { S3ServerProcess } from "../evidence/s3-server.js";
import { engines, STATION_TEST_TIMEOUT } from "../support/station-db.js";
import { CREDENTIALS, TestCar } from "./car-upload.js";

const MOSQUITTO = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].find((p) => existsSync(p));
if (!MOSQUITTO) console.warn("skipping the station fleet test: needs mosquitto");

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!MOSQUITTO).each(engines())(
  "station fleet view and upload announcements over MQTT on $name",
  (engine) => {
    const s3 = new S3ServerProcess();
    const dir = tempDataDir("station-fleet");
    let broker: ChildProcess;
    let brokerUrl = "";
    let station: Station;
    let car: TestCar;

    beforeAll(async () => {
      await Promise.all([engine.setup(), s3.start()]);
      const port = await freePort();
      const conf = join(dir, "mosquitto.conf");
      writeFileSync(
        conf,
        `listener ${port} 127.0.0.1\nallow_anonymous true\n${process.getuid?.() === 0 ? "user root\n" : ""}`,
      );
      broker = spawn(MOSQUITTO ?? "mosquitto", ["-c", conf], { stdio: "ignore" });
      brokerUrl = `mqtt://127.0.0.1:${port}`;
      const credentials = join(dir, "s3-credentials");
      writeFileSync(credentials, JSON.stringify(CREDENTIALS));
      chmodSync(credentials, 0o600);
      const conn = await engine.fresh();
      await until("the broker", async () => {
        const c = await mqtt.connectAsync(brokerUrl, { reconnectPeriod: 0 }).catch(() => null);
        await c?.endAsync();
        return c !== null;
      });
      station = await Station.start(
        stationFileSchema.parse({
          station: {
            dataDir: conn.dataDir,
            storage: { s3: { endpoint: s3.endpoint, bucket: s3.bucket, credentialsFile: credentials } },
            database: conn.url ? { url: conn.url } : {},
            http: { port: 0 },
            // a listing pass only at start: anything later must come from an announcement
            ingest: { scanIntervalSeconds: 86_400 },
            mqtt: { url: brokerUrl },
          },
          log: { level: "silent" },
        }),
        silentStationLogger(),
      );
      car = new TestCar(s3);
      await car.start();
    });
    afterAll(async () => {
      await station?.stop();
      await car?.stop();
      broker?.kill("SIGTERM");
      await s3.dispose();
      await engine.teardown();
      rmSync(dir, { recursive: true, force: true });
    });

    async function publish(topic: string, payload: unknown, retain = false) {
      const c = await mqtt.connectAsync(brokerUrl);
      await c.publishAsync(topic, typeof payload === "string" ? payload : JSON.stringify(payload), {
        qos: 1,
        retain,
      });
      await c.endAsync();
    }

    it("keeps each car's bridged status: recording, last seen, offline by last will", async () => {
      const at = "2026-11-26T14:22:35.010Z";
      await publish(
        "camsync/v1/unit12/status",
        { v: 1, online: true, state: "active", eventId: "20261126T142233Z-unit12-3f9a", at },
        true,
      );
      await publish(
        "camsync/v1/unit7/status",
        { v: 1, online: true, state: "idle", eventId: null, at },
        true,
      );
      await publish("camsync/v1/unit9/status", "not json");
      const fleet = new FleetRepository(station.db);
      const rows = await until("two cars in the fleet table", async () => {
        const r = await fleet.list();
        return r.length === 2 ? r : null;
      });
      expect(rows.map((r) => [r.vehicleId, r.online, r.recording, r.lastSeen])).toEqual([
        ["unit12", true, true, at],
        ["unit7", true, false, at],
      ]);
      await publish("camsync/v1/unit12/status", { v: 1, online: false }, true);
      const after = await until("unit12 offline", async () =>
        (await fleet.list()).find((r) => r.vehicleId === "unit12" && !r.online),
      );
      expect(after).toMatchObject({
        recording: false,
        lastSeen: at,
        eventId: "20261126T142233Z-unit12-3f9a",
      });
    });

    it("ingests an event at once when its upload is announced", async () => {
      const e = car.record({ startedAt: Date.UTC(2026, 10, 26, 15) });
      await car.upload();
      await publish("camsync/v1/unit12/upload", { v: 1, kind: "event", key: "../../etc/" });
      await publish("camsync/v1/unit12/upload", { v: 1, kind: "event", key: `unit12/${e.eventId}/` });
      const row = await until("the announced event indexed", () =>
        new EventsRepository(station.db).get(e.eventId),
      );
      expect(row.eventId).toBe(e.eventId);
    });
  },
  STATION_TEST_TIMEOUT,
);
