import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Alert, EventBus } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import { AuditLockedError } from "../../src/evidence/audit-lock.js";
import { AUDIT_FILE, createAuditLog } from "../../src/evidence/audit-log.js";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { FakeClock } from "../support/fake-clock.js";
import { makeEvent, tempDataDir } from "./event-fixture.js";

const entries = (dir: string) =>
  readFileSync(join(dir, AUDIT_FILE), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown> & { type: string });

describe("audit log on the bus", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function setup() {
    const dir = tempDataDir("audit");
    dirs.push(dir);
    const clock = new FakeClock();
    const bus = new EventBus();
    const alerts: Alert[] = [];
    bus.on("alert", (a) => alerts.push(a));
    const audit = createAuditLog({
      dataDir: dir,
      bus,
      clock,
      logger: silentLogger(),
      configLoaded: { sha256: "c".repeat(64), version: "0.1.0" },
    });
    await audit.start();
    return { dir, clock, bus, alerts, audit };
  }

  it("records decisions (ignored ones only when a person asked), confirmations and the config, in one chain", async () => {
    const { dir, clock, bus, audit } = await setup();
    const base = { eventId: "e1", at: clock.now(), reason: "r" };
    bus.emit("decision", {
      ...base,
      type: "event-start",
      origin: { kind: "lightbar", id: "lightbar" },
      preEventSeconds: 30,
      seq: 1,
    });
    bus.emit("decision", { ...base, type: "ignored", origin: { kind: "can", id: "speeding" }, seq: 2 });
    bus.emit("decision", { ...base, type: "ignored", origin: { kind: "cli", id: "cli" }, seq: 3 });
    bus.emit("decision", { ...base, type: "stop-refused", origin: { kind: "bodycam", id: "bc1" }, seq: 4 });
    bus.emit("bodycam-confirmation", {
      eventId: "e1",
      bodycamId: "bc2",
      commandedAt: clock.now(),
      confirmedAt: null,
      latencyMs: null,
    });
    await audit.stop();
    expect(entries(dir).map((e) => `${e.type}${e.decision ? `:${e.decision}` : ""}`)).toEqual([
      "config-loaded",
      "decision:event-start",
      "decision:ignored",
      "decision:stop-refused",
      "bodycam-confirmation",
      "daemon-stopped",
    ]);
    expect(entries(dir)[2]).toMatchObject({ origin: { kind: "cli" }, decisionSeq: 3 });
    expect((await verifyDataDir(dir)).findings).toEqual([]);
  });

  it("summarizes an alert flood instead of stalling on fsync, without losing the count", async () => {
    const { dir, clock, bus, audit } = await setup();
    for (let i = 0; i < 50; i++) {
      bus.emit("alert", {
        code: "bodycam-unpaired",
        severity: "warning",
        message: `intruder ${i}`,
        device: `x${i}`,
        at: clock.now(),
      });
      clock.advance(10);
    }
    bus.emit("alert", { code: "storage-low", severity: "critical", message: "low", at: clock.now() });
    clock.advance(60_000);
    await audit.stop();
    const all = entries(dir);
    expect(all.filter((e) => e.type === "alert" && e.code === "bodycam-unpaired")).toHaveLength(20);
    expect(all.filter((e) => e.type === "alert" && e.code === "storage-low")).toHaveLength(1);
    expect(all.filter((e) => e.type === "alerts-suppressed")).toEqual([
      expect.objectContaining({
        code: "bodycam-unpaired",
        count: 30,
        from: new Date(Date.UTC(2026, 10, 26, 14, 22, 33, 200)).toISOString(),
      }),
    ]);
    expect((await verifyDataDir(dir)).findings).toEqual([]);
  });

  it("records a finalized event's manifest hash, and alerts when the manifest is not what was announced", async () => {
    const { dir, clock, bus, alerts, audit } = await setup();
    const e = makeEvent(dir, { startedAt: clock.now() });
    bus.emit("event-finalized", {
      eventId: e.eventId,
      dir: e.dir,
      manifestSha256: e.manifestSha256,
      at: clock.now(),
    });
    expect(audit.latestManifest(e.eventId)?.sha256).toBe(e.manifestSha256);
    const f = makeEvent(dir, { startedAt: clock.now() + 1000, suffix: "ffff" });
    bus.emit("event-finalized", {
      eventId: f.eventId,
      dir: f.dir,
      manifestSha256: "0".repeat(64),
      at: clock.now(),
    });
    expect(alerts.map((a) => a.code)).toEqual(["manifest-mismatch"]);
    expect(entries(dir).find((x) => x.type === "event-finalized" && x.eventId === f.eventId)).toMatchObject({
      manifestSha256: f.manifestSha256,
      announcedSha256: "0".repeat(64),
    });
    await audit.stop();
  });

  it("has one writer: a second open of the same data dir is refused until the first closes", async () => {
    const { dir, audit } = await setup();
    const second = createAuditLog({ dataDir: dir, clock: new FakeClock(), logger: silentLogger() });
    expect(() => second.open()).toThrow(AuditLockedError);
    await audit.stop();
    second.open();
    second.close();
  });
});
