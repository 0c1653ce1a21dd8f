import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCommand } from "../../src/cli/commands/verify.js";
import { FakeClock } from "../../src/core/fake-clock.js";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { custodyConfigSchema } from "../../src/station/custody/custody-config.js";
import { CustodyRepository } from "../../src/station/custody/custody-repository.js";
import { CustodyService } from "../../src/station/custody/custody-service.js";
import { rulesFromConfig } from "../../src/station/custody/retention-rules.js";
import { StationAuditLog } from "../../src/station/custody/station-audit.js";
import { openDb } from "../../src/station/db.js";
import { IncidentsRepository } from "../../src/station/incidents-repository.js";
import { captureCli } from "../evidence/cli-capture.js";
import { CustodyBucket, storeEvent } from "./custody-support.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10, 12);
// the defaults: non-evidence 90 d, traffic stop 1 y, arrest 5 y, homicide forever; queue 30 d, restore 365 d
const rules = rulesFromConfig(custodyConfigSchema.parse({}));

const bucket = new CustodyBucket();
const dir = mkdtempSync(join(tmpdir(), "camsync-custody-"));

beforeAll(() => bucket.start());
afterAll(async () => {
  await bucket.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("custody end to end (PGlite, s3rver)", () => {
  it("categorises, holds, expires, queues, deletes and restores; S3 and the audit log follow each step", async () => {
    const clock = new FakeClock(T0);
    const stationDir = join(dir, "station");
    const db = await openDb({ dataDir: "memory://" });
    const remover = await bucket.remover();
    const audit = new StationAuditLog(db, clock, stationDir);
    const custody = new CustodyService(db, audit, rules, remover, clock);
    const at = (day: number) => clock.advance(T0 + day * DAY - clock.now());
    try {
      const keys = {
        ne: await storeEvent(bucket, db, "ev-ne", { category: "non-evidence", startedAt: T0 }),
        restored: await storeEvent(bucket, db, "ev-restored", { category: "non-evidence", startedAt: T0 }),
        unc: await storeEvent(bucket, db, "ev-unc", { category: null, startedAt: T0 }),
        held: await storeEvent(bucket, db, "ev-held", { category: "non-evidence", startedAt: T0 }),
        hom: await storeEvent(bucket, db, "ev-hom", { category: "homicide", startedAt: T0 }),
      };
      const present = async () => {
        const out: string[] = [];
        for (const [name, ks] of Object.entries(keys)) {
          const e = await Promise.all(ks.map((k) => bucket.exists(k)));
          if (e.every(Boolean)) out.push(name);
          else expect(e.some(Boolean), `${name}: partly deleted`).toBe(false);
        }
        return out;
      };
      const ref = (id: string) => ({ kind: "event" as const, id });
      expect(await present()).toEqual(["ne", "restored", "unc", "held", "hom"]);

      // day 0: an officer's category at the station, a case number and a hold on the case
      await custody.setCategories("sup", ref("ev-unc"), ["traffic stop"]);
      await new IncidentsRepository(db).setCaseNumber("ev-held", "C-1");
      const hold = await custody.placeHold("sup", "case", "C-1", "pending trial");
      expect((await custody.sweep()).enqueued).toEqual([]);

      // day 90: non-evidence expires and is listed (the held one is not)
      at(90);
      const s90 = await custody.sweep();
      expect(s90.enqueued.map((r) => r.id).sort()).toEqual(["ev-ne", "ev-restored"]);
      expect((await custody.queue()).map((q) => q.id).sort()).toEqual(["ev-ne", "ev-restored"]);
      expect(await present()).toEqual(["ne", "restored", "unc", "held", "hom"]);

      // day 100: a supervisor restores one from the queue
      at(100);
      await custody.restore("sup", ref("ev-restored"), "needed for a complaint review");
      expect((await custody.queue()).map((q) => q.id)).toEqual(["ev-ne"]);

      // day 119: still listed; day 120: deleted, its hashes recorded
      at(119);
      expect((await custody.sweep()).deleted).toEqual([]);
      at(120);
      expect((await custody.sweep()).deleted).toEqual([ref("ev-ne")]);
      expect(await present()).toEqual(["restored", "unc", "held", "hom"]);
      const deletion = await new CustodyRepository(db).deletion(ref("ev-ne"));
      expect(deletion?.objects.map((o) => o.key).sort()).toEqual([...keys.ne].sort());
      expect(deletion?.objects.every((o) => /^[0-9a-f]{64}$/.test(o.sha256))).toBe(true);

      // day 365: the traffic stop expires; day 396 it is deleted. The held item stays.
      at(365);
      expect((await custody.sweep()).enqueued).toEqual([ref("ev-unc")]);
      at(396);
      expect((await custody.sweep()).deleted).toEqual([ref("ev-unc")]);
      expect(await present()).toEqual(["restored", "held", "hom"]);

      // day 400: the hold is released (audited with its reason): the held item is listed at once
      at(400);
      await custody.releaseHold("sup", hold.id, "case closed");
      expect((await custody.sweep()).enqueued).toEqual([ref("ev-held")]);
      // day 430: the released item waited its 30 days and goes
      at(430);
      expect((await custody.sweep()).deleted).toEqual([ref("ev-held")]);
      expect(await present()).toEqual(["restored", "hom"]);
      // day 465: the restored item expired again (restore: 365 d from day 100): listed, deleted on day 495
      at(465);
      expect((await custody.sweep()).enqueued).toEqual([ref("ev-restored")]);
      at(495);
      expect((await custody.sweep()).deleted).toEqual([ref("ev-restored")]);
      expect(await present()).toEqual(["hom"]);
      at(36_500);
      expect(await custody.sweep()).toEqual({ enqueued: [], dequeued: [], deleted: [], failed: [] });
      expect(await present()).toEqual(["hom"]);

      // the station audit log verifies with the car's verify, and holds every action exactly once
      const report = await verifyDataDir(stationDir);
      expect(report.findings).toEqual([]);
      const entries = (await audit.entries()).map((e) => `${e.type} ${e.subjectId} ${e.user}`);
      expect(entries).toEqual([
        "category-changed ev-unc sup",
        "hold-placed C-1 sup",
        "queued-for-deletion ev-ne station",
        "queued-for-deletion ev-restored station",
        "restored ev-restored sup",
        "deleted ev-ne station",
        "queued-for-deletion ev-unc station",
        "deleted ev-unc station",
        "hold-released C-1 sup",
        "queued-for-deletion ev-held station",
        "deleted ev-held station",
        "queued-for-deletion ev-restored station",
        "deleted ev-restored station",
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
      remover.close();
      await db.close();
    }
  }, 60_000);
});
