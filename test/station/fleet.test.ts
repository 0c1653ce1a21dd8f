import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/bodycam/mosquitto-process.js";
import { uploadPayload } from "../../src/bodycam/outbound-payloads.js";
import type { EventUploaded } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import { AuthService } from "../../src/station/auth-service.js";
import { stationFileSchema } from "../../src/station/config.js";
import { EventsRepository } from "../../src/station/events-repository.js";
import { FleetRepository } from "../../src/station/fleet-repository.js";
import { Station } from "../../src/station/station.js";
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
        silentLogger(),
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

    it("ingests an event at once when the car announces its upload", async () => {
      const e = car.record({ startedAt: Date.UTC(2026, 10, 26, 15) });
      const announced: EventUploaded[] = [];
      const off = car.bus.on("event-uploaded", (u) => announced.push(u));
      await car.upload();
      off();
      expect(announced.map((u) => u.eventId)).toEqual([e.eventId]);
      const at = "2026-11-26T18:00:00.000Z";
      await publish("camsync/v1/unit12/upload", { v: 1, kind: "event", key: "../../etc/", at });
      await publish("camsync/v1/unit12/upload", { v: 1, kind: "event", at }); // no key
      await publish("camsync/v1/unit12/upload", "{not json");
      // exactly what the car's daemon publishes on R/upload for it
      await publish("camsync/v1/unit12/upload", uploadPayload(announced[0] as EventUploaded));
      const row = await until("the announced event indexed", () =>
        new EventsRepository(station.db).get(e.eventId),
      );
      expect(row.eventId).toBe(e.eventId);
    });

    it("stores each car's upload backlog from its status; a malformed backlog loses nothing else", async () => {
      const fleet = new FleetRepository(station.db);
      const backlog = { events: 3, oldestStartedAt: "2026-11-26T09:00:00.000Z" };
      const at = "2026-11-26T18:00:00.000Z";
      const idle = { v: 1, online: true, state: "idle", eventId: null, at };
      await publish("camsync/v1/unit30/status", { ...idle, backlog }, true);
      await publish("camsync/v1/unit31/status", { ...idle, backlog: { events: "many" } }, true);
      const rows = await until("both cars stored", async () => {
        const r = (await fleet.list()).filter((x) => x.vehicleId === "unit30" || x.vehicleId === "unit31");
        return r.length === 2 ? r : null;
      });
      expect(rows[0]).toMatchObject({ vehicleId: "unit30", online: true, backlog: 3, lastSeen: at });
      expect(rows[0]?.status.backlog).toEqual(backlog);
      expect(rows[1]).toMatchObject({ vehicleId: "unit31", online: true, backlog: null, lastSeen: at });
      expect(rows[1]?.status.backlog).toBeUndefined();
      // what the fleet page reads (GET /api/fleet, signed in)
      await new AuthService(station.db, 3_600_000).addUser("viewer1", "viewer-password", "viewer");
      const base = `http://127.0.0.1:${station.port}`;
      const session = await fetch(`${base}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "viewer1", password: "viewer-password" }),
      });
      expect(session.status).toBe(200);
      const cookie = (session.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const api = (await (await fetch(`${base}/api/fleet`, { headers: { cookie } })).json()) as {
        items: { vehicleId: string; backlog: number | null; status: Record<string, unknown> }[];
      };
      expect(api.items.find((c) => c.vehicleId === "unit30")).toMatchObject({
        backlog: 3,
        status: { backlog },
      });
      // the queue drains: the next status says so
      await publish(
        "camsync/v1/unit30/status",
        { ...idle, backlog: { events: 0, oldestStartedAt: null }, at: "2026-11-26T18:05:00.000Z" },
        true,
      );
      const drained = await until("unit30 drained", async () =>
        (await fleet.list()).find((r) => r.vehicleId === "unit30" && r.backlog === 0),
      );
      expect(drained.status.backlog).toEqual({ events: 0, oldestStartedAt: null });
    });
  },
  STATION_TEST_TIMEOUT,
);
