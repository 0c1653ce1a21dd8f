import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Alert, Bus } from "../../src/core/bus.js";
import { FakeClock } from "../../src/core/fake-clock.js";
import { silentLogger } from "../../src/daemon/logger.js";
import { type AuditLog, createAuditLog } from "../../src/evidence/audit-log.js";
import { offloadConfigSchema, retentionConfigSchema } from "../../src/evidence/config.js";
import { loadManifest } from "../../src/evidence/manifest-file.js";
import { createOffload, type Offload } from "../../src/evidence/offload.js";
import { createRetention } from "../../src/evidence/retention.js";
import { tagEvent } from "../../src/evidence/tag.js";
import { readUploadState, writeUploadState } from "../../src/evidence/upload-state.js";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { sha256File } from "../../src/storage/sha256.js";
import { makeEvent, tempDataDir } from "./event-fixture.js";
import { S3ServerProcess, type ServerFaults, uploadsDir } from "./s3-server.js";

const MiB = 1024 * 1024;
const DAY = 86_400_000;

interface Rig {
  dataDir: string;
  bus: Bus;
  clock: FakeClock;
  audit: AuditLog;
  offload: Offload;
  alerts: Alert[];
  /** A new offload on the same data dir, as after a daemon restart. */
  restart(): Promise<void>;
}

describe("offload to a real S3-compatible server (s3rver on loopback)", () => {
  const servers: S3ServerProcess[] = [];
  const rigs: Rig[] = [];

  async function server(env: ServerFaults = {}): Promise<S3ServerProcess> {
    const s = new S3ServerProcess();
    servers.push(s);
    await s.start(env);
    return s;
  }

  async function rig(s: S3ServerProcess, extra: Record<string, unknown> = {}): Promise<Rig> {
    const dataDir = tempDataDir("offload");
    const bus = new Bus();
    const clock = new FakeClock();
    const alerts: Alert[] = [];
    bus.on("alert", (a) => alerts.push(a));
    const audit = createAuditLog({ dataDir, bus, clock, logger: silentLogger() });
    await audit.start();
    const config = offloadConfigSchema.parse({
      enabled: true,
      endpoint: s.endpoint,
      bucket: s.bucket,
      partSizeMiB: 5,
      verify: "checksum",
      requestTimeoutSeconds: 20,
      ...extra,
    });
    const build = () =>
      createOffload({
        config,
        vehicleId: "unit12",
        dataDir,
        bus,
        clock,
        logger: silentLogger(),
        audit,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      });
    const r: Rig = {
      dataDir,
      bus,
      clock,
      audit,
      offload: build(),
      alerts,
      async restart() {
        await r.offload.stop();
        r.offload = build();
        await r.offload.start();
      },
    };
    await r.offload.start();
    rigs.push(r);
    return r;
  }

  function finalize(r: Rig, e: { eventId: string; dir: string; manifestSha256: string }): void {
    r.audit.recordFinalized(e.eventId, e.dir, e.manifestSha256);
  }

  /** A finished event (started 09:00 UTC) with files of these sizes, its finalization recorded. */
  function finished(r: Rig, ...sizes: [string, number][]) {
    const cameras = sizes.map(([name, bytes]) => ({ name, bytes }));
    const e = makeEvent(r.dataDir, { startedAt: Date.UTC(2026, 10, 26, 9), cameras });
    finalize(r, e);
    return e;
  }

  afterEach(async () => {
    for (const r of rigs.splice(0)) {
      await r.offload.stop();
      await r.audit.stop();
      rmSync(r.dataDir, { recursive: true, force: true });
    }
    for (const s of servers.splice(0)) await s.dispose();
  });

  it("uploads an event, verifies it by reading it back, and records the result in manifest and audit log", async () => {
    const s = await server();
    const r = await rig(s);
    const e = finished(r, ["front", 11 * MiB], ["rear", 300_000]);
    const result = await r.offload.runOnce();
    expect(result).toMatchObject({ reachable: true, verified: [e.eventId], failed: [], interrupted: false });
    const m = loadManifest(e.dir).manifest;
    expect(m.offload).toMatchObject({
      state: "verified",
      bucket: "evidence",
      key: `unit12/${e.eventId}/`,
      method: "read-back",
    });
    const key = `unit12/${e.eventId}/front.mp4`;
    expect((await sha256File(s.objectFile(key))).sha256).toBe(e.manifest.cameras[0]?.files[0]?.sha256);
    const meta = JSON.parse(
      readFileSync(s.objectFile(key).replace(/object$/, "metadata.json"), "utf8"),
    ) as Record<string, string>;
    expect(meta["x-amz-meta-sha256"]).toBe(e.manifest.cameras[0]?.files[0]?.sha256);
    expect(s.partUploads().map((p) => p.partNumber)).toEqual([1, 2, 3]);
    expect(s.requests.filter((q) => q.method === "GET" && q.path.endsWith("front.mp4"))).toHaveLength(1);
    const audit = readFileSync(join(r.dataDir, "audit.jsonl"), "utf8");
    expect(audit).toContain('"type":"upload-started"');
    expect(audit).toMatch(/"type":"manifest-amended".*"reason":"offload"/);
    expect(await verifyDataDir(r.dataDir)).toMatchObject({ ok: true, events: 1 });
    // a second pass has nothing to do
    const before = s.requests.length;
    expect((await r.offload.runOnce()).verified).toEqual([]);
    expect(s.requests.length).toBe(before + 1); // the reachability probe only
    // the server's manifest is the final one (with the offload result)
    const manifestKey = `unit12/${e.eventId}/manifest.json`;
    expect(readFileSync(s.objectFile(manifestKey))).toEqual(readFileSync(join(e.dir, "manifest.json")));
    // a tag after the upload: the next pass sends the manifest again, with the audit lines proving it, and nothing else
    tagEvent(r.audit, e.dir, { category: "traffic-stop" });
    const putsBefore = s.requests.filter((q) => q.method === "PUT").length;
    expect((await r.offload.runOnce()).verified).toEqual([e.eventId]);
    expect(
      s.requests
        .filter((q) => q.method === "PUT")
        .map((q) => q.path.split("/").pop())
        .slice(putsBefore),
    ).toEqual(["audit.jsonl", "manifest.json"]);
    expect(readFileSync(s.objectFile(manifestKey), "utf8")).toContain('"category": "traffic-stop"');
    const excerpt = readFileSync(s.objectFile(`unit12/${e.eventId}/audit.jsonl`));
    const { checkAuditExcerpt } = await import("../../src/evidence/audit-excerpt.js");
    const manifestSha = (await sha256File(join(e.dir, "manifest.json"))).sha256;
    expect(checkAuditExcerpt(excerpt, e.eventId, manifestSha)).toMatchObject({ ok: true });
    expect((await verifyDataDir(r.dataDir)).findings).toEqual([]);
  });

  it("verifies by the server's SHA-256 checksum where the server keeps one (no read-back)", async () => {
    const s = await server({ checksums: true });
    const r = await rig(s);
    const e = finished(r, ["front", 11 * MiB], ["rear", 4000]);
    expect((await r.offload.runOnce()).verified).toEqual([e.eventId]);
    expect(loadManifest(e.dir).manifest.offload).toMatchObject({ state: "verified", method: "checksum" });
    expect(s.requests.filter((q) => q.method === "GET")).toEqual([]);
  });

  it("detects a corrupted object by the server's checksum", async () => {
    const s = await server({ checksums: true, corrupt: true });
    const r = await rig(s);
    const e = finished(r, ["front", 6 * MiB]);
    const result = await r.offload.runOnce();
    expect(result.failed[0]?.error).toMatch(/front\.mp4: server checksum .*-2 differs from .*-2/);
    expect(loadManifest(e.dir).manifest.offload).toBeUndefined();
    expect(s.requests.filter((q) => q.method === "GET")).toEqual([]);
  });

  it("resumes after the server is killed mid-upload (and the daemon restarted) without re-sending finished parts", async () => {
    const s = await server({ dieOnPart: 3 });
    const r = await rig(s);
    const e = finished(r, ["front", 17 * MiB]);
    const first = await r.offload.runOnce();
    await s.waitExit();
    expect(first).toMatchObject({ reachable: true, interrupted: true, verified: [] });
    expect(readUploadState(e.dir).objects["front.mp4"]?.parts.map((p) => p.partNumber)).toEqual([1, 2]);
    expect(loadManifest(e.dir).manifest.offload).toBeUndefined();
    expect((await r.offload.runOnce()).reachable).toBe(false); // server down: nothing happens

    await s.start(); // same port, same storage directory
    await r.restart(); // and a restarted daemon: what was sent is known from .offload.json alone
    const pass = r.offload.runOnce();
    while (r.offload.status().state !== "uploading") await new Promise((res) => setImmediate(res));
    // progress covers the event's video and starts where the interrupted upload stopped (2 parts done)
    expect(r.offload.status().progress).toMatchObject({
      eventId: e.eventId,
      bytesDone: 10 * MiB,
      bytesTotal: 17 * MiB,
    });
    const second = await pass;
    expect(second).toMatchObject({ verified: [e.eventId], interrupted: false });
    const sent = s.partUploads().map((p) => p.partNumber);
    expect(sent.filter((n) => n === 1)).toHaveLength(1);
    expect(sent.filter((n) => n === 2)).toHaveLength(1);
    expect(sent.filter((n) => n === 3)).toHaveLength(2); // the one cut off, and the resend
    expect(sent.filter((n) => n === 4)).toHaveLength(1);
    expect((await sha256File(s.objectFile(`unit12/${e.eventId}/front.mp4`))).sha256).toBe(
      e.manifest.cameras[0]?.files[0]?.sha256,
    );
    expect(loadManifest(e.dir).manifest.offload?.state).toBe("verified");
  });

  it.each([
    [
      "adopts a part the server stored but the daemon never recorded (ListParts + MD5), not re-sending it",
      false,
      [1, 1, 2, 1],
    ],
    ["starts over when the server no longer has the upload (ListParts: NoSuchUpload)", true, [2, 2, 2, 1]],
  ])("%s", async (_name, gone, counts) => {
    const s = await server({ dieOnPart: 3, listParts: true });
    const r = await rig(s);
    const e = finished(r, ["front", 17 * MiB]);
    expect((await r.offload.runOnce()).interrupted).toBe(true);
    await s.waitExit();
    // the daemon died after the server stored part 2 and before .offload.json recorded it
    const state = readUploadState(e.dir);
    const obj = state.objects["front.mp4"];
    if (!obj) throw new Error("no upload state");
    obj.parts = obj.parts.filter((p) => p.partNumber !== 2);
    writeUploadState(e.dir, state);
    if (gone) rmSync(uploadsDir(s.dir, s.bucket), { recursive: true, force: true });
    await s.start({ listParts: true });
    await r.restart();
    expect((await r.offload.runOnce()).verified).toEqual([e.eventId]);
    const sent = s.partUploads().map((p) => p.partNumber);
    expect([1, 2, 3, 4].map((n) => sent.filter((x) => x === n).length)).toEqual(counts);
    expect(s.requests.some((q) => q.method === "GET" && q.query.includes("uploadId"))).toBe(true);
    expect((await sha256File(s.objectFile(`unit12/${e.eventId}/front.mp4`))).sha256).toBe(
      e.manifest.cameras[0]?.files[0]?.sha256,
    );
  });

  it("detects a corrupted stored object, keeps everything local, and uploads again later", async () => {
    const s = await server({ corrupt: true });
    const r = await rig(s);
    const e = finished(r, ["front", 6 * MiB]);
    const result = await r.offload.runOnce();
    expect(result.verified).toEqual([]);
    expect(result.failed[0]?.error).toMatch(/front\.mp4: stored object reads back as .* SHA-256/);
    expect(r.alerts.map((a) => a.code)).toContain("offload-verify-failed");
    expect(loadManifest(e.dir).manifest.offload).toBeUndefined();
    expect(existsSync(join(e.dir, "front.mp4"))).toBe(true);
    expect(readFileSync(join(r.dataDir, "audit.jsonl"), "utf8")).toContain('"type":"upload-verify-failed"');
    // a year later, retention still keeps it: the upload never verified
    const later = new FakeClock(r.clock.now() + 365 * DAY);
    const retention = () =>
      createRetention({
        config: retentionConfigSchema.parse({ keepDaysAfterUpload: 7 }),
        reserveBytes: 0,
        dataDir: r.dataDir,
        bus: r.bus,
        clock: later,
        logger: silentLogger(),
        audit: r.audit,
        freeSpace: () => 0,
      });
    expect(retention().runOnce().delete).toEqual([]);
    expect(existsSync(join(e.dir, "front.mp4"))).toBe(true);

    await s.stop();
    await s.start(); // the faulty storage is fixed
    expect((await r.offload.runOnce()).verified).toEqual([e.eventId]);
    expect(s.partUploads().filter((p) => p.partNumber === 1)).toHaveLength(2); // uploaded afresh
    // now verified: deleted once keepDaysAfterUpload has passed (here: a year later)
    expect(
      retention()
        .runOnce()
        .delete.map((d) => d.eventId),
    ).toEqual([e.eventId]);
    expect(existsSync(e.dir)).toBe(false);
  });

  it("does not upload an event whose manifest no longer matches its audit record, and alerts", async () => {
    const s = await server();
    const r = await rig(s);
    const e = finished(r, ["front", 1000]);
    const path = join(e.dir, "manifest.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"officer": "B1234"', '"officer": "X1"'));
    const result = await r.offload.runOnce();
    expect(result.failed[0]?.error).toMatch(/manifest does not match its audit record/);
    expect(r.alerts.filter((a) => a.code === "offload-event-refused")).toHaveLength(1);
    await r.offload.runOnce();
    expect(r.alerts.filter((a) => a.code === "offload-event-refused")).toHaveLength(1); // once, not every pass
    expect(s.requests.filter((q) => q.method === "PUT")).toEqual([]);
  });

  it("runs by itself: a finalized event is uploaded on the bus kick; an absent server is retried with backoff", async () => {
    const s = await server();
    const r = await rig(s);
    const settle = async () => {
      await r.offload.runOnce();
      await new Promise((res) => setImmediate(res));
    };
    r.clock.advance(0); // the first probe, at start
    await settle();
    const e = makeEvent(r.dataDir, {
      startedAt: Date.UTC(2026, 10, 26, 9),
      cameras: [{ name: "front", bytes: 1000 }],
    });
    r.bus.emit("event-finalized", {
      eventId: e.eventId,
      dir: e.dir,
      manifestSha256: e.manifestSha256,
      at: r.clock.now(),
    });
    r.clock.advance(0);
    await settle();
    expect(loadManifest(e.dir).manifest.offload?.state).toBe("verified");
    expect(r.offload.status()).toMatchObject({ state: "idle", consecutiveFailures: 0 });

    await s.stop(); // the car leaves the station
    const probes = () => s.requests.filter((q) => q.method === "HEAD").length;
    const before = probes();
    r.clock.advance(30_000);
    await settle();
    expect(r.offload.status()).toMatchObject({ state: "waiting", consecutiveFailures: 1 });
    r.clock.advance(30_000);
    await settle();
    expect(r.offload.status()).toMatchObject({ consecutiveFailures: 2 });
    r.clock.advance(59_999); // backoff doubled: nothing yet
    await new Promise((res) => setImmediate(res));
    expect(r.offload.status()).toMatchObject({ consecutiveFailures: 2 });
    r.clock.advance(1);
    await settle();
    expect(r.offload.status()).toMatchObject({ consecutiveFailures: 3 });
    expect(probes()).toBe(before);
    expect(r.clock.timerCount).toBe(2); // the next probe, and the audit log's alert window
  });

  it("uploads critical events first, then oldest first", async () => {
    const s = await server();
    const r = await rig(s, { criticalCategories: ["pursuit"] });
    const t = Date.UTC(2026, 10, 26, 9);
    const old = makeEvent(r.dataDir, { startedAt: t, cameras: [{ name: "front", bytes: 1000 }] });
    const flagged = makeEvent(r.dataDir, {
      startedAt: t + 3_600_000,
      critical: true,
      cameras: [{ name: "front", bytes: 1000 }],
    });
    const mid = makeEvent(r.dataDir, { startedAt: t + 1_800_000, cameras: [{ name: "front", bytes: 1000 }] });
    const pursuit = makeEvent(r.dataDir, {
      startedAt: t + 7_200_000,
      category: "pursuit",
      cameras: [{ name: "front", bytes: 1000 }],
    });
    for (const e of [old, flagged, mid, pursuit]) finalize(r, e);
    const result = await r.offload.runOnce();
    const order = [flagged, pursuit, old, mid].map((e) => e.eventId);
    expect(result.verified).toEqual(order);
    const putOrder = s.requests
      .filter((q) => q.method === "PUT" && q.path.endsWith("/front.mp4"))
      .map((q) => q.path.split("/")[3]);
    expect(putOrder).toEqual(order);
  });
});
