import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { reportCommand } from "../../src/cli/commands/report.js";
import { isoTime } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import type { AccountabilityReport } from "../../src/evidence/accountability-report.js";
import { createAuditLog } from "../../src/evidence/audit-log.js";
import { retentionConfigSchema } from "../../src/evidence/config.js";
import { createRetention } from "../../src/evidence/retention.js";
import { FakeClock } from "../support/fake-clock.js";
import { captureCli } from "./cli-capture.js";
import { makeEvent, markUploaded, tempDataDir } from "./event-fixture.js";

describe("camsync report", () => {
  const dir = tempDataDir("report");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lists activations, confirmations, unconfirmed cams, gaps and upload state since a date", async () => {
    const t0 = Date.UTC(2026, 10, 20, 8);
    const clock = new FakeClock(t0);
    const bus = new EventBus();
    const audit = createAuditLog({ dataDir: dir, bus, clock, logger: silentLogger() });
    await audit.start();
    const start = (at: number, eventId: string, seq: number) =>
      bus.emit("decision", {
        type: "event-start",
        eventId,
        origin: { kind: "lightbar", id: "lightbar" },
        preEventSeconds: 30,
        at,
        reason: "light bar on",
        seq,
      });

    // an old event (before --since), uploaded and deleted locally
    const old = makeEvent(dir, { startedAt: t0, suffix: "aaaa" });
    start(t0, old.eventId, 1);
    audit.recordFinalized(old.eventId, old.dir, old.manifestSha256);
    markUploaded(audit, old, t0, "checksum", "ev");

    // the reporting window: one event uploaded then deleted, one with an unconfirmed cam and a gap
    const t1 = Date.UTC(2026, 10, 25, 14);
    const uploaded = makeEvent(dir, {
      startedAt: t1,
      suffix: "bbbb",
      bodycams: [
        { id: "bc1", commandedAt: isoTime(t1), confirmedAt: isoTime(t1 + 300), latencyMs: 300, alerts: [] },
      ],
    });
    start(t1, uploaded.eventId, 2);
    bus.emit("bodycam-confirmation", {
      eventId: uploaded.eventId,
      bodycamId: "bc1",
      commandedAt: t1,
      confirmedAt: t1 + 300,
      latencyMs: 300,
    });
    audit.recordFinalized(uploaded.eventId, uploaded.dir, uploaded.manifestSha256);
    markUploaded(audit, uploaded, t1 + 3_600_000, "read-back", "ev");

    const t2 = Date.UTC(2026, 10, 26, 9);
    const gap = {
      from: isoTime(t2 + 10_000),
      to: isoTime(t2 + 13_000),
      seconds: 3,
      cause: "ffmpeg restarted",
    };
    const open = makeEvent(dir, {
      startedAt: t2,
      suffix: "cccc",
      gaps: [gap],
      bodycams: [
        { id: "bc1", commandedAt: isoTime(t2), confirmedAt: isoTime(t2 + 410), latencyMs: 410, alerts: [] },
        {
          id: "bc2",
          commandedAt: isoTime(t2),
          confirmedAt: null,
          latencyMs: null,
          alerts: ["bodycam-unconfirmed"],
        },
      ],
    });
    start(t2, open.eventId, 3);
    audit.recordFinalized(open.eventId, open.dir, open.manifestSha256);

    clock.advance(Date.UTC(2026, 11, 20) - clock.now());
    const retention = createRetention({
      config: retentionConfigSchema.parse({ keepDaysAfterUpload: 7 }),
      reserveBytes: 0,
      dataDir: dir,
      bus,
      clock,
      logger: silentLogger(),
      audit,
      freeSpace: () => 1e12,
    });
    expect(
      retention
        .runOnce()
        .delete.map((d) => d.eventId)
        .sort(),
    ).toEqual([old.eventId, uploaded.eventId].sort());
    await audit.stop();

    const json = await captureCli(() =>
      reportCommand.run(["--since", "2026-11-21", "--data-dir", dir, "--json"]),
    );
    expect(json.code).toBe(0);
    const r = JSON.parse(json.out) as AccountabilityReport;
    expect(r.activations.map((a) => a.eventId)).toEqual([uploaded.eventId, open.eventId]);
    expect(r.activations[0]).toMatchObject({
      origin: "lightbar:lightbar",
      reason: "light bar on",
      confirmed: [{ id: "bc1", latencyMs: 300 }],
      unconfirmed: [],
      gaps: null,
      upload: { state: "verified", method: "read-back", location: `ev/unit12/${uploaded.eventId}/` },
      local: "deleted-after-upload",
    });
    expect(r.activations[1]).toMatchObject({
      officer: "B1234",
      confirmed: [{ id: "bc1", latencyMs: 410 }],
      unconfirmed: ["bc2"],
      gaps: [{ camera: "front", ...gap }],
      upload: { state: "pending" },
      local: "present",
    });
    expect(r.totals).toEqual({
      activations: 2,
      withUnconfirmedCams: 1,
      withGaps: 1,
      uploadVerified: 1,
      uploadPending: 1,
      uploadFailed: 0,
    });
    expect(r.auditProblems).toBe(0);

    const text = await captureCli(() =>
      reportCommand.run(["--since", "2026-11-21", "--until", "2026-11-26", "--data-dir", dir]),
    );
    expect(text.out).toContain(uploaded.eventId);
    expect(text.out).not.toContain(open.eventId);
    expect(text.out).toContain("1 activation(s); 0 with unconfirmed body cams");

    await expect(reportCommand.run(["--since", "yesterday-ish", "--data-dir", dir])).rejects.toThrow(
      /not a date/,
    );
  });
});
