import { execFileSync } from "node:child_process";
import { createWriteStream, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCommand } from "../../src/cli/commands/verify.js";
import { auditExcerpt } from "../../src/evidence/audit-excerpt.js";
import { tagEvent } from "../../src/evidence/tag.js";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { custodyConfigSchema } from "../../src/station/custody/custody-config.js";
import { CustodyRepository } from "../../src/station/custody/custody-repository.js";
import { CustodyService } from "../../src/station/custody/custody-service.js";
import { ExportService } from "../../src/station/custody/export-service.js";
import { verifyExport } from "../../src/station/custody/export-verify.js";
import { rulesFromConfig } from "../../src/station/custody/retention-rules.js";
import { StationAuditLog } from "../../src/station/custody/station-audit.js";
import { loadOrCreateStationKey } from "../../src/station/custody/station-key.js";
import { IncidentsRepository } from "../../src/station/incidents-repository.js";
import { openDb } from "../../src/station/open-db.js";
import { sha256Hex } from "../../src/storage/sha256.js";
import { captureCli } from "../evidence/cli-capture.js";
import { tempDataDir } from "../evidence/event-fixture.js";
import { FakeClock } from "../support/fake-clock.js";
import { engines } from "../support/station-db.js";
import { TestCar } from "./car-upload.js";
import { CustodyBucket } from "./custody-support.js";
import { ingestFor } from "./station-rig.js";

const DAY = 86_400_000;
/** The fixture car's events start here (TestCar's clock). */
const T0 = Date.UTC(2026, 10, 26, 18);
// the defaults: non-evidence 90 d, traffic stop 1 y, arrest 5 y, homicide forever; queue 30 d, restore 365 d
const rules = rulesFromConfig(custodyConfigSchema.parse({}));

describe.each(engines())("custody end to end on $name (car upload, ingest, s3rver)", (engine) => {
  const bucket = new CustodyBucket();
  const stationDir = tempDataDir("station");

  beforeAll(() => Promise.all([engine.setup(), bucket.start()]));
  afterAll(async () => {
    await bucket.stop();
    await engine.teardown();
    rmSync(stationDir, { recursive: true, force: true });
  });

  it("ingests, categorises, holds, expires, queues, deletes and restores; S3 and the audit log follow each step", async () => {
    const conn = await engine.fresh();
    const db = await openDb({ url: conn.url, dataDir: join(conn.dataDir, "db") });
    // a second station process sweeping at the same time (PostgreSQL: its own connections)
    const dbB = conn.url ? await openDb({ dataDir: "", url: conn.url, poolSize: 2 }) : db;
    const { ingest, close: closeIngest } = await ingestFor(db, bucket.s3);
    const custodyStore = await bucket.custodyStore();
    const car = new TestCar(bucket.s3);
    const clock = new FakeClock(T0);
    const audit = new StationAuditLog(db, clock, stationDir);
    const custody = new CustodyService(db, audit, rules, custodyStore, clock);
    const custodyB = new CustodyService(
      dbB,
      new StationAuditLog(dbB, clock, stationDir),
      rules,
      custodyStore,
      clock,
    );
    /** Both processes sweep at once: each action happens (and is audited) once. */
    const sweepBoth = async () => {
      const [r1, r2] = await Promise.all([custody.sweep(), custodyB.sweep()]);
      const merge = (k: "enqueued" | "dequeued" | "deleted") =>
        [...r1[k], ...r2[k]].sort((x, y) => x.id.localeCompare(y.id));
      return {
        enqueued: merge("enqueued"),
        dequeued: merge("dequeued"),
        deleted: merge("deleted"),
        failed: [...r1.failed, ...r2.failed],
      };
    };
    const at = (day: number) => clock.advance(T0 + day * DAY - clock.now());
    try {
      // a car records five events and offloads them; the station ingests them
      await car.start();
      const ev = {
        ne: car.record({ startedAt: T0, suffix: "0a01" }),
        restored: car.record({ startedAt: T0, suffix: "0a02" }),
        unc: car.record({ startedAt: T0, suffix: "0a03" }),
        held: car.record({ startedAt: T0, suffix: "0a04" }),
        hom: car.record({ startedAt: T0, suffix: "0a05" }),
      };
      // the officer categorises in the car: the category travels in the manifest amendment
      for (const [name, category] of [
        ["ne", "non-evidence"],
        ["restored", "non-evidence"],
        ["held", "non-evidence"],
        ["hom", "homicide"],
      ] as const) {
        tagEvent(car.audit, ev[name].dir, { category, by: "B1234" });
      }
      await car.upload();
      // the car uploads its audit excerpt beside each manifest; this is the one of the kept event
      const carLog = readFileSync(join(car.dataDir, "audit.jsonl"));
      const excerpt = auditExcerpt(carLog, ev.hom.eventId) as Buffer;
      await ingest.scan();
      const outcomes = await ingest.drain();
      expect(await db.query("SELECT reason, detail FROM quarantine")).toEqual([]);
      expect(outcomes).toEqual(["indexed", "indexed", "indexed", "indexed", "indexed"]);
      const id = (name: keyof typeof ev) => ev[name].eventId;
      // the anchor: the station stored the car chain's head as of the excerpt, the same line as in the car's log
      const anchors = await db.query("SELECT event_id, car_audit_head FROM events ORDER BY event_id");
      const carLines = carLog.toString("utf8").split("\n").filter(Boolean);
      expect(anchors).toHaveLength(5);
      for (const r of anchors) {
        const head = r.car_audit_head as { seq: number; sha256: string };
        const line = carLines.find((l) => JSON.parse(l).seq === head.seq) as string;
        expect(head.sha256).toBe(sha256Hex(line));
        expect(JSON.parse(line)).toMatchObject({ type: "manifest-amended", eventId: r.event_id });
      }
      const ref = (name: keyof typeof ev) => ({ kind: "event" as const, id: id(name) });
      const keysBefore = new Map<string, string[]>();
      for (const name of Object.keys(ev) as (keyof typeof ev)[]) {
        const keys = await bucket.keys(`unit12/${id(name)}/`);
        expect(keys).toContain(`unit12/${id(name)}/manifest.json`);
        keysBefore.set(name, keys);
      }
      /** Which events still have all their objects (none may be partly deleted). */
      const present = async () => {
        const out: string[] = [];
        for (const [name, keys] of keysBefore) {
          const now = await bucket.keys(`unit12/${id(name as keyof typeof ev)}/`);
          if (now.length === keys.length) out.push(name);
          else expect(now, `${name}: partly deleted`).toEqual([]);
        }
        return out;
      };
      expect(await present()).toEqual(["ne", "restored", "unc", "held", "hom"]);

      // day 0: a category at the station, a case number and a legal hold on the case
      await custody.setCategories("sup", ref("unc"), ["traffic stop"]);
      await new IncidentsRepository(db).setCaseNumber(id("held"), "C-1");
      const hold = await custody.placeHold("sup", "case", "C-1", "pending trial");
      expect((await custody.sweep()).enqueued).toEqual([]);

      // day 90: non-evidence expires and is listed (the held one is not); nothing is deleted yet
      at(90);
      expect((await sweepBoth()).enqueued.map((r) => r.id)).toEqual([id("ne"), id("restored")].sort());
      expect(await present()).toEqual(["ne", "restored", "unc", "held", "hom"]);

      // day 100: a supervisor restores one from the queue
      at(100);
      await custody.restore("sup", ref("restored"), "needed for a complaint review");
      expect((await custody.queue()).map((q) => q.id)).toEqual([id("ne")]);

      // day 119: still listed; day 120: deleted, with the hashes of every object it had
      at(119);
      expect((await custody.sweep()).deleted).toEqual([]);
      at(120);
      expect(await sweepBoth()).toEqual({ enqueued: [], dequeued: [], deleted: [ref("ne")], failed: [] });
      expect(await present()).toEqual(["restored", "unc", "held", "hom"]);
      const deletion = await new CustodyRepository(db).deletion(ref("ne"));
      expect(deletion?.objects.map((o) => o.key).sort()).toEqual(keysBefore.get("ne"));
      expect(deletion?.objects.every((o) => /^[0-9a-f]{64}$/.test(o.sha256))).toBe(true);
      // the car's copy is the car's business: its own retention (keep until verified offload) is unchanged
      expect(readFileSync(join(ev.ne.dir, "manifest.json"), "utf8")).toContain(id("ne"));

      // a traffic stop: listed on day 365, deleted on day 395; the held item stays
      at(365);
      expect((await custody.sweep()).enqueued).toEqual([ref("unc")]);
      at(395);
      expect((await custody.sweep()).deleted).toEqual([ref("unc")]);
      expect(await present()).toEqual(["restored", "held", "hom"]);

      // day 400: the hold is released with a reason; the item, long expired, is listed at once
      at(400);
      await custody.releaseHold("sup", hold.id, "case closed");
      expect((await custody.sweep()).enqueued).toEqual([ref("held")]);
      at(430);
      expect((await custody.sweep()).deleted).toEqual([ref("held")]);
      // the restored item expires again 365 d after its restore (day 465), deleted 30 d later
      at(465);
      expect((await custody.sweep()).enqueued).toEqual([ref("restored")]);
      at(495);
      expect((await custody.sweep()).deleted).toEqual([ref("restored")]);
      expect(await present()).toEqual(["hom"]);
      at(36_500);
      expect(await custody.sweep()).toEqual({ enqueued: [], dequeued: [], deleted: [], failed: [] });
      expect(await present()).toEqual(["hom"]);
      // a deleted event is not ingested again
      await ingest.scan();
      expect(await ingest.drain()).toEqual([]);

      // an export of the kept incident carries the car's excerpt and its chain head, and verifies
      const store = await bucket.store();
      const zip = join(stationDir, "hom.zip");
      await new ExportService(db, audit, store, loadOrCreateStationKey(stationDir), clock).export(
        "sup",
        { kind: "incident", id: id("hom") },
        createWriteStream(zip),
      );
      store.close();
      const verified = await verifyExport(zip);
      expect(verified.findings.filter((f) => f.severity === "error")).toEqual([]);
      const x = join(stationDir, "hom");
      execFileSync("unzip", ["-q", zip, "-d", x]);
      expect(readFileSync(join(x, `items/event-${id("hom")}/audit.jsonl`))).toEqual(excerpt);
      const heads = JSON.parse(readFileSync(join(x, "audit/car-chain-heads.json"), "utf8"));
      expect(heads[0].carAuditHead.sha256).toBe(
        sha256Hex(excerpt.toString("utf8").trimEnd().split("\n").pop() as string),
      );

      // the station audit log verifies with the car's verify and holds every action exactly once
      const report = await verifyDataDir(stationDir);
      expect(report.findings).toEqual([]);
      const entries = (await audit.entries()).map((e) => `${e.type} ${e.subjectId} ${e.user}`);
      expect(entries).toEqual([
        `category-changed ${id("unc")} sup`,
        "hold-placed C-1 sup",
        ...[id("ne"), id("restored")].sort().map((x) => `queued-for-deletion ${x} station`),
        `restored ${id("restored")} sup`,
        `deleted ${id("ne")} station`,
        `queued-for-deletion ${id("unc")} station`,
        `deleted ${id("unc")} station`,
        "hold-released C-1 sup",
        `queued-for-deletion ${id("held")} station`,
        `deleted ${id("held")} station`,
        `queued-for-deletion ${id("restored")} station`,
        `deleted ${id("restored")} station`,
        `exported ${id("hom")} sup`,
      ]);
      expect(report.auditEntries).toBe(entries.length);

      // camsync verify takes the station data dir or its audit file; an edited line is named
      expect((await captureCli(() => verifyCommand.run([stationDir]))).code).toBe(0);
      const file = join(stationDir, "audit.jsonl");
      expect((await captureCli(() => verifyCommand.run([file]))).code).toBe(0);
      writeFileSync(
        file,
        readFileSync(file, "utf8").replace('"reason":"case closed"', '"reason":"case closed!"'),
      );
      const tampered = await captureCli(() => verifyCommand.run([file]));
      expect(tampered.code).toBe(1);
      // line 9 (the release) was edited: the next line no longer links to it
      expect(tampered.out).toContain("CHANGED  audit.jsonl line 10: line 10 (seq 10): prev does not match");
    } finally {
      await car.stop();
      closeIngest();
      custodyStore.close();
      if (dbB !== db) await dbB.close();
      await db.close();
    }
  }, 120_000);
});
