import { rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import { createAuditLog } from "../../src/evidence/audit-log.js";
import { ADOPT_AFTER_MS, adoptUnrecordedEvents } from "../../src/evidence/event-adoption.js";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { FakeClock } from "../support/fake-clock.js";
import { makeEvent, tempDataDir } from "./event-fixture.js";

describe("events the audit log never heard of", () => {
  const dir = tempDataDir("adoption");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are recorded (adopted) once their manifest has been left alone, and verify says so", async () => {
    const now = Date.now() + 2 * ADOPT_AFTER_MS;
    const audit = createAuditLog({ dataDir: dir, clock: new FakeClock(now), logger: silentLogger() });
    audit.open();
    const promoted = makeEvent(dir, { startedAt: Date.UTC(2026, 10, 26, 9), suffix: "a0a0" });
    const fresh = makeEvent(dir, { startedAt: Date.UTC(2026, 10, 26, 10), suffix: "b0b0" });
    const t = (now - ADOPT_AFTER_MS / 2) / 1000;
    utimesSync(join(fresh.dir, "manifest.json"), t, t); // written half a grace period ago
    expect(adoptUnrecordedEvents(audit, dir, now, ADOPT_AFTER_MS)).toEqual([promoted.eventId]);
    expect(adoptUnrecordedEvents(audit, dir, now, ADOPT_AFTER_MS)).toEqual([]);
    expect(audit.latestManifest(promoted.eventId)?.sha256).toBe(promoted.manifestSha256);
    audit.close();

    const report = await verifyDataDir(dir);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        severity: "warning",
        message: expect.stringContaining(`${promoted.eventId} was recorded when found (adopted)`),
      }),
    );
    expect(report.findings.filter((f) => f.severity === "error").map((f) => f.message)).toEqual([
      `no audit record of this manifest (event ${fresh.eventId} was never recorded as finalized)`,
    ]);
  });
});
