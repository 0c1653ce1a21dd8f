import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventCommand } from "../../src/cli/commands/event.js";
import { runEventTag } from "../../src/cli/commands/event-tag.js";
import { officerCommand } from "../../src/cli/commands/officer.js";
import { EventBus } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import { ControlServer } from "../../src/daemon/control-server.js";
import { type AuditLog, createAuditLog } from "../../src/evidence/audit-log.js";
import { loadManifest } from "../../src/evidence/manifest-file.js";
import { currentOfficer } from "../../src/evidence/officer.js";
import { evidenceControlHandlers } from "../../src/evidence/operator-action.js";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { FakeClock } from "../support/fake-clock.js";
import { captureCli } from "./cli-capture.js";
import { type FixtureEvent, makeEvent, tempDataDir } from "./event-fixture.js";

const auditTypes = (dir: string) =>
  readFileSync(join(dir, "audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("operator actions: officer set, event tag", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function dataDirWithEvent(): Promise<{ dir: string; e: FixtureEvent }> {
    const dir = tempDataDir("operator");
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const audit = createAuditLog({ dataDir: dir, clock: new FakeClock(), logger: silentLogger() });
    audit.open();
    const e = makeEvent(dir, { startedAt: Date.UTC(2026, 10, 26, 9) });
    audit.recordFinalized(e.eventId, e.dir, e.manifestSha256);
    audit.close();
    return { dir, e };
  }

  /** What the daemon does: hold the audit log and serve the control socket with the evidence handlers. */
  async function fakeDaemon(dir: string): Promise<AuditLog> {
    const clock = new FakeClock();
    const audit = createAuditLog({ dataDir: dir, bus: new EventBus(), clock, logger: silentLogger() });
    await audit.start();
    const control = new ControlServer(join(dir, "control.sock"), silentLogger());
    const h = evidenceControlHandlers({ audit, dataDir: dir, now: () => clock.now() });
    control.handle("officer-set", (req) => h.officerSet(req));
    control.handle("event-tag", (req) => h.eventTag(req));
    await control.start();
    cleanups.push(async () => {
      await control.stop();
      await audit.stop();
    });
    return audit;
  }

  it("without a daemon: writes directly under the lock, and the data dir still verifies", async () => {
    const { dir, e } = await dataDirWithEvent();
    const set = await captureCli(() => officerCommand.run(["set", "B77", "--data-dir", dir]));
    expect(set).toMatchObject({ code: 0, out: expect.stringContaining("written directly") });
    expect(currentOfficer(dir, "B1")).toBe("B77");
    const tag = await captureCli(() =>
      runEventTag([
        e.eventId,
        "--category",
        "pursuit",
        "--note",
        "suspect fled on foot",
        "--critical",
        "--data-dir",
        dir,
      ]),
    );
    expect(tag.code).toBe(0);
    const again = await captureCli(() =>
      eventCommand.run(["tag", e.eventId, "--note", "second note", "--data-dir", dir]),
    );
    expect(again.code).toBe(0);
    const ev = await captureCli(() =>
      officerCommand.run(["set", "C55", "--event", e.eventId, "--data-dir", dir]),
    );
    expect(ev.code).toBe(0);
    const m = loadManifest(e.dir).manifest;
    expect(m).toMatchObject({
      category: "pursuit",
      critical: true,
      officer: "C55",
      notes: ["suspect fled on foot", "second note"],
    });
    const types = auditTypes(dir).map((l) => `${l.type}${l.reason ? `:${l.reason}` : ""}`);
    expect(types).toEqual([
      "event-finalized",
      "officer-set",
      "manifest-amended:tag",
      "manifest-amended:tag",
      "manifest-amended:officer",
    ]);
    expect(await verifyDataDir(dir)).toMatchObject({ ok: true });
  });

  it("with a daemon running: goes through the control socket, one writer", async () => {
    const { dir, e } = await dataDirWithEvent();
    const audit = await fakeDaemon(dir);
    const set = await captureCli(() => officerCommand.run(["set", "B77", "--data-dir", dir]));
    expect(set).toMatchObject({ code: 0, out: expect.stringContaining("via the running daemon") });
    const tag = await captureCli(() =>
      runEventTag([e.eventId, "--category", "traffic-stop", "--by", "B77", "--data-dir", dir]),
    );
    expect(tag).toMatchObject({ code: 0, out: expect.stringContaining("via the running daemon") });
    expect(audit.latestManifest(e.eventId)?.sha256).toBe(loadManifest(e.dir).sha256);
    // one event's officer goes through the daemon too
    const ev = await captureCli(() =>
      officerCommand.run(["set", "C55", "--event", e.eventId, "--data-dir", dir]),
    );
    expect(ev).toMatchObject({ code: 0, err: "" });
    expect(loadManifest(e.dir).manifest.officer).toBe("C55");
    expect(audit.latestManifest(e.eventId)?.sha256).toBe(loadManifest(e.dir).sha256);
    await audit.stop();
    expect(auditTypes(dir).map((l) => l.type)).toEqual([
      "event-finalized",
      "officer-set",
      "manifest-amended",
      "manifest-amended",
    ]);
    expect(auditTypes(dir)[1]).toMatchObject({ officer: "B77", by: "control" });
    expect(await verifyDataDir(dir)).toMatchObject({ ok: true });
  });

  it("refuses when the audit log is held but no control socket answers", async () => {
    const { dir } = await dataDirWithEvent();
    const audit = createAuditLog({ dataDir: dir, clock: new FakeClock(), logger: silentLogger() });
    audit.open();
    cleanups.push(() => audit.close());
    const set = await captureCli(() => officerCommand.run(["set", "B77", "--data-dir", dir]));
    expect(set.code).toBe(1);
    expect(set.err).toContain(`the audit log is in use by process ${process.pid}`);
  });

  it("never amends a manifest that no longer matches its audit record", async () => {
    const { dir, e } = await dataDirWithEvent();
    const path = join(e.dir, "manifest.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"officer": "B1234"', '"officer": "X1"'));
    const tag = await captureCli(() => runEventTag([e.eventId, "--category", "pursuit", "--data-dir", dir]));
    expect(tag.code).toBe(1);
    expect(tag.err).toContain("does not match its audit record");
    expect(auditTypes(dir).map((l) => l.type)).toEqual(["event-finalized"]);
  });

  it("rejects bad ids and path tricks", async () => {
    const { dir } = await dataDirWithEvent();
    expect(
      (await captureCli(() => runEventTag(["../../etc", "--note", "x", "--data-dir", dir]))).err,
    ).toContain("is not an event id");
    expect((await captureCli(() => officerCommand.run(["set", "bad id!", "--data-dir", dir]))).code).toBe(1);
  });
});
