import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tagEvent } from "../../src/evidence/tag.js";
import type { Db } from "../../src/station/db.js";
import { EventsRepository } from "../../src/station/events-repository.js";
import { Ingest } from "../../src/station/ingest.js";
import { IngestRepository } from "../../src/station/ingest-repository.js";
import { type ObjectStore, openS3Store } from "../../src/station/object-store.js";
import { QuarantineRepository } from "../../src/station/quarantine-repository.js";
import { silentStationLogger } from "../../src/station/station-logger.js";
import { sha256Hex } from "../../src/storage/sha256.js";
import { S3ServerProcess } from "../evidence/s3-server.js";
import { engines, STATION_TEST_TIMEOUT } from "../support/station-db.js";
import { CREDENTIALS, putObject, TestCar } from "./car-upload.js";
import { ingestFor, stationSuite } from "./station-rig.js";

const T0 = Date.UTC(2026, 10, 26, 14, 22, 33);

describe.each(engines())(
  "station ingest on $name against s3rver",
  (engine) => {
    const s3 = new S3ServerProcess();
    let db: Db;
    const suite = stationSuite(engine, s3);

    async function station(opts: { leaseSeconds?: number; workerId?: string; fresh?: boolean } = {}) {
      if (opts.fresh !== false) {
        db = await engine.open();
        suite.later(() => db.close());
      }
      const { ingest, close } = await ingestFor(db, s3, opts);
      suite.later(close);
      return ingest;
    }

    async function car(): Promise<TestCar> {
      const c = new TestCar(s3);
      await c.start();
      suite.later(() => c.stop());
      return c;
    }

    it("indexes a car's offloaded event after re-hashing its objects, once", async () => {
      const c = await car();
      const e = c.record({
        startedAt: T0,
        cameras: [
          { name: "front", bytes: 200_000 },
          { name: "rear", bytes: 70_000 },
        ],
      });
      expect(await c.upload()).toEqual([e.eventId]);
      const ingest = await station();
      expect(await ingest.scan()).toEqual({ manifests: 1, queued: 1 });
      expect(await ingest.drain()).toEqual(["indexed"]);
      expect(ingest.bytesHashed).toBe(270_000);
      const events = new EventsRepository(db);
      const row = await events.get(e.eventId);
      expect(row).toMatchObject({
        eventId: e.eventId,
        vehicleId: "unit12",
        officer: "B1234",
        trigger: { kind: "lightbar", id: "lightbar" },
        cameras: ["front", "rear"],
        keyPrefix: `unit12/${e.eventId}/`,
      });
      expect((await events.files(e.eventId)).map((f) => [f.file, f.objectKey, f.bytes])).toEqual([
        ["front.mp4", `unit12/${e.eventId}/front.mp4`, 200_000],
        ["rear.mp4", `unit12/${e.eventId}/rear.mp4`, 70_000],
      ]);
      // a second pass finds nothing new and hashes nothing
      expect(await ingest.scan()).toEqual({ manifests: 1, queued: 0 });
      expect(await ingest.drain()).toEqual([]);
      expect(ingest.bytesHashed).toBe(270_000);
    });

    it("updates the index when the car uploads an amended manifest (category, note, officer)", async () => {
      const c = await car();
      const e = c.record({ startedAt: T0 });
      await c.upload();
      const ingest = await station();
      await ingest.scan();
      await ingest.drain();
      tagEvent(c.audit, e.dir, { category: "pursuit", note: "suspect fled on foot", by: "B1234" });
      await c.upload();
      expect(readFileSync(s3.objectFile(`unit12/${e.eventId}/manifest.json`), "utf8")).toContain("pursuit");
      expect((await ingest.scan()).queued).toBe(1);
      expect(await ingest.drain()).toEqual(["indexed"]);
      const found = await new EventsRepository(db).search({ text: "fled", limit: 10 });
      expect(found.items.map((i) => [i.eventId, i.category])).toEqual([[e.eventId, "pursuit"]]);
    });

    it("quarantines an event whose object was tampered with in the bucket, naming the object", async () => {
      const c = await car();
      const e = c.record({ startedAt: T0, cameras: [{ name: "front", bytes: 50_000 }] });
      await c.upload();
      const key = `unit12/${e.eventId}/front.mp4`;
      const file = s3.objectFile(key);
      const bytes = readFileSync(file);
      bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
      writeFileSync(file, bytes);
      const ingest = await station();
      await ingest.scan();
      expect(await ingest.drain()).toEqual(["quarantined"]);
      expect(await new EventsRepository(db).get(e.eventId)).toBeNull();
      const q = await new QuarantineRepository(db).list(10);
      expect(q).toHaveLength(1);
      expect(q[0]).toMatchObject({
        reason: "hash-mismatch",
        keyPrefix: `unit12/${e.eventId}/`,
        subjectId: e.eventId,
      });
      expect(q[0]?.detail).toContain(key);
      const alerts = await new QuarantineRepository(db).alerts(10);
      expect(alerts[0]).toMatchObject({ code: "ingest-quarantined", severity: "critical" });
      expect(alerts[0]?.message).toContain(key);
      // listing again does not quarantine it twice or index it
      await ingest.scan();
      expect(await ingest.drain()).toEqual([]);
      expect(await new QuarantineRepository(db).alerts(10)).toHaveLength(1);
    });

    it("quarantines an event with an object missing", async () => {
      const c = await car();
      const e = c.record({
        startedAt: T0,
        cameras: [
          { name: "front", bytes: 1000 },
          { name: "rear", bytes: 1000 },
        ],
      });
      await c.upload();
      rmSync(s3.objectFile(`unit12/${e.eventId}/rear.mp4`));
      const ingest = await station();
      await ingest.scan();
      expect(await ingest.drain()).toEqual(["quarantined"]);
      const [q] = await new QuarantineRepository(db).list(10);
      expect(q?.reason).toBe("missing-object");
      expect(q?.detail).toContain(`unit12/${e.eventId}/rear.mp4`);
    });

    /** A manifest that looks like the car's, with one thing changed. */
    function hostile(eventId: string, change: (m: Record<string, unknown>) => void, fileBytes: Buffer) {
      const m: Record<string, unknown> = {
        manifestVersion: 1,
        eventId,
        vehicle: { id: "unit12" },
        officer: "B1234",
        startedAt: new Date(T0).toISOString(),
        endedAt: new Date(T0 + 60_000).toISOString(),
        origin: { kind: "lightbar", id: "lightbar" },
        cameras: [
          {
            name: "front",
            files: [{ file: "front.mp4", sha256: sha256Hex(fileBytes), bytes: fileBytes.length }],
          },
        ],
        bodycams: [],
      };
      change(m);
      return JSON.stringify(m);
    }

    it.each([
      [
        "wrong types",
        (m: Record<string, unknown>) => {
          m.startedAt = 42;
        },
        "manifest-malformed",
        "startedAt",
      ],
      [
        "a file name with path traversal",
        (m: Record<string, unknown>) => {
          m.cameras = [
            {
              name: "front",
              files: [{ file: "../../unit99/x/front.mp4", sha256: "0".repeat(64), bytes: 1 }],
            },
          ];
        },
        "unsafe-file-name",
        "../../unit99",
      ],
      [
        "a vehicle id that is not the key's",
        (m: Record<string, unknown>) => {
          m.vehicle = { id: "unit99" };
        },
        "identity-mismatch",
        "unit99",
      ],
      [
        "an event id that is not the key's",
        (m: Record<string, unknown>) => {
          m.eventId = "20261126T142233Z-unit12-ffff";
        },
        "identity-mismatch",
        "ffff",
      ],
      [
        "objects claimed outside the vehicle's prefix",
        (m: Record<string, unknown>) => {
          m.offload = { state: "verified", bucket: "evidence", key: "unit99/20261126T142233Z-unit99-aaaa/" };
        },
        "outside-prefix",
        "unit99/",
      ],
      [
        "a huge manifest",
        (m: Record<string, unknown>) => {
          m.padding = "x".repeat(100_000);
        },
        "manifest-too-large",
        "limit",
      ],
      ["not JSON", null, "manifest-malformed", "not valid JSON"],
    ] as const)(
      "quarantines a manifest with %s and indexes nothing",
      async (_what, change, reason, detail) => {
        const eventId = "20261126T142233Z-unit12-abcd";
        const data = randomBytes(3000);
        await putObject(s3, `unit12/${eventId}/front.mp4`, data);
        await putObject(
          s3,
          `unit12/${eventId}/manifest.json`,
          change ? hostile(eventId, change, data) : "{ this is not json",
        );
        const ingest = await station();
        await ingest.scan();
        expect(await ingest.drain()).toEqual(["quarantined"]);
        const [q] = await new QuarantineRepository(db).list(10);
        expect(q?.reason).toBe(reason);
        expect(q?.detail).toContain(detail);
        expect((await new EventsRepository(db).search({ limit: 10 })).items).toEqual([]);
      },
    );

    it("quarantines a manifest under a key that is not {vehicleId}/{eventId}/", async () => {
      await putObject(s3, "unit12/not-an-event/manifest.json", "{}");
      await putObject(s3, "a/b/c/manifest.json", "{}");
      const ingest = await station();
      await ingest.scan();
      expect(await ingest.drain()).toEqual(["quarantined", "quarantined"]);
      expect((await new QuarantineRepository(db).list(10)).map((q) => q.reason)).toEqual([
        "bad-key",
        "bad-key",
      ]);
    });

    it("quarantines an audit excerpt that does not match the manifest, and verifies one that does", async () => {
      const c = await car();
      const good = c.record({ startedAt: T0, suffix: "0001" });
      const bad = c.record({ startedAt: T0 + 1000, suffix: "0002" });
      await c.upload();
      const { auditExcerpt } = await import("../../src/evidence/audit-excerpt.js");
      const log = readFileSync(`${c.dataDir}/audit.jsonl`);
      await putObject(s3, `unit12/${good.eventId}/audit.jsonl`, auditExcerpt(log, good.eventId) ?? "");
      // the first entry of the bad event's excerpt edited: the link after it no longer holds
      const lines = (auditExcerpt(log, bad.eventId) ?? Buffer.alloc(0)).toString().split("\n");
      expect(lines.length).toBeGreaterThan(2);
      lines[0] = (lines[0] ?? "").replace('"at":"2026', '"at":"2025');
      await putObject(s3, `unit12/${bad.eventId}/audit.jsonl`, lines.join("\n"));
      const ingest = await station();
      await ingest.scan();
      expect((await ingest.drain()).sort()).toEqual(["indexed", "quarantined"]);
      expect((await new EventsRepository(db).get(good.eventId))?.auditState).toBe("verified");
      const [q] = await new QuarantineRepository(db).list(10);
      expect(q).toMatchObject({ reason: "audit-chain", subjectId: bad.eventId });
    });

    it("another worker takes over a job whose worker died mid-ingest, and the event is indexed once", async () => {
      const c = await car();
      const e = c.record({ startedAt: T0, cameras: [{ name: "front", bytes: 100_000 }] });
      await c.upload();
      const first = await station({ workerId: "dead-worker", leaseSeconds: 1 });
      await first.scan();
      // the first worker claims the job and dies before finishing (its process is gone; the lease remains)
      const claimed = await new IngestRepository(db).claim("dead-worker", 5, 1);
      expect(claimed.map((j) => j.keyPrefix)).toEqual([`unit12/${e.eventId}/`]);
      const second = await station({ workerId: "second", leaseSeconds: 60, fresh: false });
      expect(await second.drain()).toEqual([]); // still leased
      await new Promise((r) => setTimeout(r, 1500));
      expect(await second.drain()).toEqual(["indexed"]);
      // the dead worker cannot finish it any more
      expect(
        await new IngestRepository(db).finish("dead-worker", `unit12/${e.eventId}/`, "failed", "late"),
      ).toBe(false);
      expect(await new IngestRepository(db).job(`unit12/${e.eventId}/`)).toMatchObject({
        state: "done",
        attempts: 2,
      });
    });

    it("two workers draining together index each event exactly once (SKIP LOCKED)", async () => {
      const c = await car();
      const ids = [1, 2, 3, 4, 5, 6].map(
        (i) => c.record({ startedAt: T0 + i * 1000, suffix: `000${i}` }).eventId,
      );
      await c.upload();
      const a = await station({ workerId: "a" });
      const b = await station({ workerId: "b", fresh: false });
      await a.scan();
      const [ra, rb] = await Promise.all([a.drain(), b.drain()]);
      expect([...ra, ...rb].filter((o) => o === "indexed")).toHaveLength(6);
      const page = await new EventsRepository(db).search({ limit: 10 });
      expect(page.items.map((i) => i.eventId).sort()).toEqual(ids.sort());
    });

    it("a storage error fails the job for a retry (never a quarantine), and an operator's scan retries it", async () => {
      const c = await car();
      const e = c.record({ startedAt: T0 });
      await c.upload();
      db = await engine.open();
      suite.later(() => db.close());
      const real = await openS3Store({
        endpoint: s3.endpoint,
        region: "us-east-1",
        bucket: s3.bucket,
        forcePathStyle: true,
        credentials: CREDENTIALS,
      });
      suite.later(() => real.close());
      let broken = true;
      const flaky: ObjectStore = {
        ...real,
        get: (key, range) =>
          broken && key.endsWith(".mp4")
            ? Promise.reject(new Error("connection reset"))
            : real.get(key, range),
      };
      const ingest = new Ingest({
        db,
        store: flaky,
        bucket: s3.bucket,
        prefix: "",
        log: silentStationLogger(),
        leaseSeconds: 60,
        maxManifestBytes: 64 * 1024,
        concurrency: 1,
      });
      await ingest.scan();
      expect(await ingest.drain()).toEqual(["failed"]);
      expect(await new QuarantineRepository(db).list(10)).toEqual([]);
      expect(await new IngestRepository(db).job(`unit12/${e.eventId}/`)).toMatchObject({
        state: "failed",
        lastError: "connection reset",
      });
      expect(await ingest.drain()).toEqual([]); // backing off
      broken = false;
      expect(await ingest.scanNow()).toMatchObject({ queued: 1 });
      expect(await ingest.drain()).toEqual(["indexed"]);
    });
  },
  STATION_TEST_TIMEOUT,
);
