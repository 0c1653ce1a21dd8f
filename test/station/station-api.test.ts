import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/logger.js";
import { AuthService } from "../../src/station/auth-service.js";
import { StationAuditLog } from "../../src/station/custody/station-audit.js";
import { Station } from "../../src/station/station.js";
import { tempDataDir } from "../evidence/event-fixture.js";
import { S3ServerProcess } from "../evidence/s3-server.js";
import { engines, STATION_TEST_TIMEOUT } from "../support/station-db.js";
import { CREDENTIALS, TestCar } from "./car-upload.js";
import { stationConfig } from "./station-rig.js";

const T0 = Date.UTC(2026, 10, 26, 14, 22, 33);

describe.each(engines())(
  "station HTTP API on $name: sign-in, roles, search, incidents, media",
  (engine) => {
    const s3 = new S3ServerProcess();
    const dir = tempDataDir("station-api");
    const credentials = join(dir, "s3-credentials");
    let station: Station;
    let car: TestCar;
    const ids: string[] = [];
    const cookies: Record<string, string> = {};

    const url = (path: string) => `http://127.0.0.1:${station.port}${path}`;
    async function call(path: string, init: RequestInit & { as?: string } = {}) {
      const headers = new Headers(init.headers);
      if (init.as) headers.set("cookie", cookies[init.as] ?? "");
      if (init.body) headers.set("content-type", "application/json");
      return fetch(url(path), { ...init, headers });
    }
    async function signIn(name: string, password: string) {
      const res = await call("/api/session", { method: "POST", body: JSON.stringify({ name, password }) });
      const set = res.headers.get("set-cookie") ?? "";
      if (res.status === 200) cookies[name] = set.split(";")[0] ?? "";
      return { res, set };
    }

    beforeAll(async () => {
      await Promise.all([engine.setup(), s3.start()]);
      writeFileSync(credentials, JSON.stringify(CREDENTIALS));
      chmodSync(credentials, 0o600);
      car = new TestCar(s3);
      await car.start();
      const a = car.record({ startedAt: T0, suffix: "000a", category: "traffic-stop" });
      const b = car.record({ startedAt: T0 + 3_600_000, suffix: "000b" });
      const c = car.record({ startedAt: T0 + 7_200_000, suffix: "000c", category: "pursuit" });
      ids.push(a.eventId, b.eventId, c.eventId);
      await car.upload();
      station = await Station.start(await stationConfig(engine, s3, credentials), silentLogger());
      await station.ingest?.scan();
      await station.ingest?.drain();
      const auth = new AuthService(station.db, 3_600_000);
      await auth.addUser("viewer1", "viewer-password", "viewer");
      await auth.addUser("super1", "super-password", "supervisor");
      await auth.addUser("admin1", "admin-password", "admin");
    });
    afterAll(async () => {
      await station?.stop();
      await car?.stop();
      await s3.dispose();
      await engine.teardown();
      rmSync(dir, { recursive: true, force: true });
    });

    it("refuses anonymous access to every API and media route", async () => {
      for (const path of [
        "/api/events",
        "/api/me",
        `/api/incidents/${ids[0]}`,
        `/media/events/${ids[0]}/front.mp4`,
        "/api/fleet",
      ]) {
        const res = await call(path);
        expect([path, res.status]).toEqual([path, 401]);
      }
      expect((await call("/api/users", { method: "POST", body: "{}" })).status).toBe(401);
    });

    it("signs in with a HttpOnly SameSite=Strict cookie; a wrong password or unknown user is refused", async () => {
      expect((await signIn("viewer1", "wrong-password")).res.status).toBe(401);
      expect((await signIn("nobody", "viewer-password")).res.status).toBe(401);
      const { res, set } = await signIn("viewer1", "viewer-password");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ user: { name: "viewer1", role: "viewer" } });
      expect(set).toMatch(/^camsync_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\//);
      expect(await (await call("/api/me", { as: "viewer1" })).json()).toEqual({
        name: "viewer1",
        role: "viewer",
      });
      await signIn("super1", "super-password");
      await signIn("admin1", "admin-password");
    });

    it("locks an account after 5 wrong passwords (429 with Retry-After), audited; an admin unlocks it", async () => {
      await new AuthService(station.db, 3_600_000).addUser("locked1", "locked1-password", "viewer");
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await signIn("locked1", `wrong-${i}`)).res.status);
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
      const locked = (await signIn("locked1", "locked1-password")).res;
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(500);
      expect((await locked.json()).error).toMatch(/locked until .*an administrator can unlock it/);
      expect((await call("/api/users/locked1/unlock", { method: "POST", as: "viewer1" })).status).toBe(403);
      const unlock = await call("/api/users/locked1/unlock", { method: "POST", as: "admin1" });
      expect(unlock.status).toBe(200);
      expect((await call("/api/users/nobody/unlock", { method: "POST", as: "admin1" })).status).toBe(404);
      expect((await signIn("locked1", "locked1-password")).res.status).toBe(200);
      const entries = (await new StationAuditLog(station.db, systemClock).entries()).filter(
        (e) => e.subjectId === "locked1",
      );
      expect(entries.map((e) => `${e.type} ${e.user}`)).toEqual([
        ...Array(4).fill("signin-failed locked1"),
        "account-locked locked1",
        "account-unlocked admin1",
      ]);
    });

    it("searches by vehicle, officer, trigger, category and date, newest first, with keyset paging", async () => {
      const page1 = await (
        await call("/api/events?vehicle=unit12&officer=B1234&trigger=lightbar&limit=2", { as: "viewer1" })
      ).json();
      expect(page1.items.map((i: { eventId: string }) => i.eventId)).toEqual([ids[2], ids[1]]);
      expect(page1.next).toEqual(expect.any(String));
      const page2 = await (
        await call(`/api/events?vehicle=unit12&limit=2&after=${page1.next}`, { as: "viewer1" })
      ).json();
      expect(page2).toMatchObject({
        items: [{ eventId: ids[0], category: "traffic-stop", cameras: ["front"] }],
        next: null,
      });
      const pursuit = await (await call("/api/events?category=pursuit", { as: "viewer1" })).json();
      expect(pursuit.items.map((i: { eventId: string }) => i.eventId)).toEqual([ids[2]]);
      const range = await (
        await call(
          `/api/events?from=${new Date(T0 + 1000).toISOString()}&to=${new Date(T0 + 7_000_000).toISOString()}`,
          { as: "viewer1" },
        )
      ).json();
      expect(range.items.map((i: { eventId: string }) => i.eventId)).toEqual([ids[1]]);
      expect((await (await call("/api/events?officer=B0000", { as: "viewer1" })).json()).items).toEqual([]);
      const bad = await call("/api/events?from=yesterday&limit=0", { as: "viewer1" });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error).toMatch(/from: .*limit: /);
    });

    it("lets a supervisor, not a viewer, set a case number, which search then finds", async () => {
      const body = JSON.stringify({ caseNumber: "2026-004711" });
      expect(
        (await call(`/api/incidents/${ids[1]}/case`, { method: "PUT", body, as: "viewer1" })).status,
      ).toBe(403);
      const res = await call(`/api/incidents/${ids[1]}/case`, { method: "PUT", body, as: "super1" });
      expect(res.status).toBe(200);
      expect((await res.json()).caseNumber).toBe("2026-004711");
      const found = await (await call("/api/events?case=2026-004711", { as: "viewer1" })).json();
      expect(found.items.map((i: { eventId: string }) => i.eventId)).toEqual([ids[1]]);
      expect(
        (
          await call("/api/incidents/20261126T000000Z-unit12-dead/case", {
            method: "PUT",
            body,
            as: "super1",
          })
        ).status,
      ).toBe(404);
    });

    it("serves an incident and its video with HTTP Range, bytes equal to the car's file", async () => {
      const inc = await (await call(`/api/incidents/${ids[0]}`, { as: "viewer1" })).json();
      expect(inc.event).toMatchObject({
        eventId: ids[0],
        auditState: "verified",
        trigger: { kind: "lightbar" },
      });
      const file = inc.files[0];
      const res = await call(file.url, { as: "viewer1", headers: { range: "bytes=100-199" } });
      expect(res.status).toBe(206);
      expect(res.headers.get("content-range")).toBe(`bytes 100-199/${file.bytes}`);
      const original = readFileSync(join(car.dataDir, "events", ids[0] ?? "", "front.mp4"));
      expect(Buffer.from(await res.arrayBuffer())).toEqual(original.subarray(100, 200));
      expect(
        (await call(file.url, { as: "viewer1", headers: { range: `bytes=${file.bytes}-` } })).status,
      ).toBe(416);
      expect((await call(`/media/events/${ids[0]}/..%2F..%2Fetc%2Fpasswd`, { as: "viewer1" })).status).toBe(
        404,
      );
    });

    it("lets only an admin manage users and list quarantine is supervisor-only", async () => {
      const body = JSON.stringify({ name: "trainer1", password: "trainer-password", role: "viewer" });
      expect((await call("/api/users", { method: "POST", body, as: "super1" })).status).toBe(403);
      expect((await call("/api/users", { method: "POST", body, as: "admin1" })).status).toBe(201);
      const weak = JSON.stringify({ name: "x", password: "short", role: "viewer" });
      expect((await call("/api/users", { method: "POST", body: weak, as: "admin1" })).status).toBe(400);
      expect((await signIn("trainer1", "trainer-password")).res.status).toBe(200);
      expect((await call("/api/quarantine", { as: "viewer1" })).status).toBe(403);
      expect((await call("/api/quarantine", { as: "super1" })).status).toBe(200);
    });

    it("signing out revokes the session", async () => {
      expect((await call("/api/session", { method: "DELETE", as: "trainer1" })).status).toBe(204);
      expect((await call("/api/me", { as: "trainer1" })).status).toBe(401);
    });
  },
  STATION_TEST_TIMEOUT,
);
