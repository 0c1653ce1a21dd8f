import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isoTime } from "../../src/core/clock.js";
import { type Alert, EventBus } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import { type AuditLog, createAuditLog } from "../../src/evidence/audit-log.js";
import { type RetentionConfig, retentionConfigSchema } from "../../src/evidence/config.js";
import { createRetention } from "../../src/evidence/retention.js";
import { tagEvent } from "../../src/evidence/tag.js";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { FakeClock } from "../support/fake-clock.js";
import { type FixtureEvent, makeEvent, markUploaded, tempDataDir } from "./event-fixture.js";

const DAY = 86_400_000;
const MiB = 1024 * 1024;

describe("retention with fake time", () => {
  const dirs: string[] = [];
  const audits: AuditLog[] = [];

  afterEach(async () => {
    for (const a of audits.splice(0)) await a.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function setup() {
    const dataDir = tempDataDir("retention");
    dirs.push(dataDir);
    const clock = new FakeClock();
    const bus = new EventBus();
    const alerts: Alert[] = [];
    bus.on("alert", (a) => alerts.push(a));
    const audit = createAuditLog({ dataDir, bus, clock, logger: silentLogger() });
    await audit.start();
    audits.push(audit);
    const event = (i: number): FixtureEvent => {
      const e = makeEvent(dataDir, {
        startedAt: clock.now() - (10 - i) * 3_600_000,
        cameras: [{ name: "front", bytes: 2000 }],
      });
      audit.recordFinalized(e.eventId, e.dir, e.manifestSha256);
      return e;
    };
    const markVerified = (e: FixtureEvent) => markUploaded(audit, e, clock.now());
    const retention = (config: RetentionConfig, reserveBytes: number, freeSpace: () => number) =>
      createRetention({
        config,
        dataDir,
        bus,
        clock,
        logger: silentLogger(),
        audit,
        reserveBytes,
        freeSpace,
      });
    return { dataDir, clock, bus, alerts, audit, event, markVerified, retention };
  }

  it("deletes only verified uploads past keepDaysAfterUpload, never un-uploaded evidence", async () => {
    const { dataDir, clock, audit, event, markVerified, retention: makeRetention } = await setup();
    const pending = event(0);
    const uploadedEarly = event(1);
    const uploadedLate = event(2);
    const forged = event(3);
    const taggedAfterUpload = event(4);
    markVerified(uploadedEarly);
    markVerified(taggedAfterUpload);
    // tagged after the upload: the server's manifest is now old, so the local copy stays until it is sent
    tagEvent(audit, taggedAfterUpload.dir, { category: "pursuit" });
    // a manifest edited by hand to claim an upload (not a recorded amendment)
    const forgedPath = join(forged.dir, "manifest.json");
    const m = JSON.parse(readFileSync(forgedPath, "utf8")) as Record<string, unknown>;
    m.offload = {
      state: "verified",
      bucket: "evidence",
      verifiedAt: isoTime(clock.now() - 100 * DAY),
      method: "read-back",
    };
    writeFileSync(forgedPath, JSON.stringify(m, null, 2));

    const config = retentionConfigSchema.parse({
      keepDaysAfterUpload: 7,
      checkIntervalSeconds: 6 * 3600,
    });
    const retention = makeRetention(config, MiB, () => 100 * MiB);
    const timersBefore = clock.timerCount;
    await retention.start();
    const present = () =>
      [pending, uploadedEarly, uploadedLate, forged, taggedAfterUpload]
        .filter((e) => existsSync(e.dir))
        .map((e) => e.eventId);

    clock.advance(3 * DAY);
    markVerified(uploadedLate);
    expect(present()).toHaveLength(5);
    clock.advance(4 * DAY - 3_600_000); // 7 days minus an hour after the first upload
    expect(present()).toHaveLength(5);
    clock.advance(3_600_000); // 7 days after the first upload
    expect(present()).toEqual([
      pending.eventId,
      uploadedLate.eventId,
      forged.eventId,
      taggedAfterUpload.eventId,
    ]);
    clock.advance(3 * DAY);
    expect(present()).toEqual([pending.eventId, forged.eventId, taggedAfterUpload.eventId]);
    for (let day = 0; day < 365; day += 30) {
      clock.advance(30 * DAY);
      expect(present()).toEqual([pending.eventId, forged.eventId, taggedAfterUpload.eventId]);
    }
    await retention.stop();
    expect(clock.timerCount).toBe(timersBefore);

    const lines = readFileSync(join(dataDir, "audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.type === "event-deleted").map((l) => l.eventId)).toEqual([
      uploadedEarly.eventId,
      uploadedLate.eventId,
    ]);
    // deletions are recorded, so the data dir still verifies except for the forged manifest, which is named
    const report = await verifyDataDir(dataDir);
    expect(report.findings.filter((f) => f.severity === "error").map((f) => f.subject)).toEqual([
      `${forgedPath} field offload`,
    ]);
  });

  it("raises storage-critical when un-uploaded evidence alone breaches the reserve, and clears it", async () => {
    const { clock, bus, alerts, event, retention: makeRetention } = await setup();
    const pending = event(0);
    let free = 10 * MiB;
    const config = retentionConfigSchema.parse({
      keepDaysAfterUpload: 7,
      checkIntervalSeconds: 60,
    });
    const health: string[] = [];
    bus.on("health", (h) => health.push(`${h.component}:${h.state}`));
    const retention = makeRetention(config, 512 * MiB, () => free);
    await retention.start();
    expect(alerts.map((a) => a.code)).toEqual(["storage-critical"]);
    expect(alerts[0]?.severity).toBe("critical");
    clock.advance(30 * 60_000); // still critical: no repeated alert within the hour
    expect(alerts).toHaveLength(1);
    clock.advance(31 * 60_000);
    expect(alerts.map((a) => a.code)).toEqual(["storage-critical", "storage-critical"]);
    expect(existsSync(pending.dir)).toBe(true);
    free = 4096 * MiB;
    clock.advance(60_000);
    expect(alerts.map((a) => a.code).at(-1)).toBe("storage-recovered");
    expect(health.at(-1)).toBe("storage:ok");
    expect(retention.status()).toMatchObject({ storageCritical: null, deleted: 0 });
    await retention.stop();
  });
});
