import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { AuthService } from "../../src/station/auth-service.js";
import { ClipsRepository } from "../../src/station/clips-repository.js";
import { custodyConfigSchema } from "../../src/station/custody/custody-config.js";
import {
  incidentChangeAuditor,
  mediaReadAuditor,
  registerCustody,
} from "../../src/station/custody/custody-routes.js";
import { CustodyService } from "../../src/station/custody/custody-service.js";
import { ExportService } from "../../src/station/custody/export-service.js";
import { verifyExport } from "../../src/station/custody/export-verify.js";
import { ReportRepository } from "../../src/station/custody/report-repository.js";
import { rulesFromConfig } from "../../src/station/custody/retention-rules.js";
import { ShareLinks } from "../../src/station/custody/share-links.js";
import { StationAuditLog } from "../../src/station/custody/station-audit.js";
import { loadOrCreateStationKey } from "../../src/station/custody/station-key.js";
import type { Db } from "../../src/station/db.js";
import { Router } from "../../src/station/http-router.js";
import { IncidentService } from "../../src/station/incident-service.js";
import { IncidentsRepository } from "../../src/station/incidents-repository.js";
import type { ObjectStore } from "../../src/station/object-store.js";
import { openDb } from "../../src/station/open-db.js";
import { QuarantineRepository } from "../../src/station/quarantine-repository.js";
import { SearchService } from "../../src/station/search-service.js";
import { registerApi } from "../../src/station/station-api.js";
import type { Role } from "../../src/station/users-repository.js";
import { sha256Hex } from "../../src/storage/sha256.js";
import { FakeClock } from "../support/fake-clock.js";
import { engines } from "../support/station-db.js";
import { CustodyBucket, serveRouter, storeEvent, testMp4 } from "./custody-support.js";

// the index stamps indexed_at with the database clock: the event ended 2 h before it was indexed (not late)
const T0 = Date.now() - 2 * 3_600_000;

describe.each(engines())("custody over HTTP on $name (s3rver)", (engine) => {
  const bucket = new CustodyBucket();
  const dir = mkdtempSync(join(tmpdir(), "camsync-custody-http-"));
  const stationDir = join(dir, "station");
  const clock = new FakeClock(T0);
  let db: Db;
  /** Station process B's own connection (PostgreSQL); PGlite is embedded: one process, one connection. */
  let dbB: Db;
  let remover: Awaited<ReturnType<CustodyBucket["custodyStore"]>>;
  const servers: Server[] = [];
  const stores: ObjectStore[] = [];
  let video: Buffer;

  /** One station process: its own services, router and HTTP server over the shared database and bucket. */
  async function stationProcess(db: Db): Promise<string> {
    const audit = new StationAuditLog(db, clock, stationDir);
    const key = loadOrCreateStationKey(stationDir);
    const cfg = custodyConfigSchema.parse({});
    const router = new Router();
    const store = await bucket.store();
    stores.push(store);
    // the station's own API (media routes among them), with custody's view auditing hooked in
    registerApi(router, {
      db,
      auth: new AuthService(db, 3_600_000),
      search: new SearchService(db),
      incidents: new IncidentService(db),
      quarantine: new QuarantineRepository(db),
      store,
      scanNow: async () => 0,
      sessionHours: 1,
      secureCookies: false,
      onMediaRead: mediaReadAuditor(audit),
      onIncidentChange: incidentChangeAuditor(audit),
    });
    registerCustody(router, {
      custody: new CustodyService(db, audit, rulesFromConfig(cfg), remover, clock),
      exports: new ExportService(db, audit, bucket.source(), key, clock),
      shares: new ShareLinks(db, audit, clock, cfg.shareLinkMaxHours),
      reports: new ReportRepository(db),
      audit,
      storage: bucket.source(),
      key,
      clock,
    });
    const server = serveRouter(router);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const as = (user: string, role: Role = "supervisor") => ({
    cookie: `camsync_session=${user}:${role}`,
    "content-type": "application/json",
  });

  beforeAll(async () => {
    await Promise.all([engine.setup(), bucket.start()]);
    remover = await bucket.custodyStore();
    const conn = await engine.fresh();
    db = await openDb({ url: conn.url, dataDir: join(conn.dataDir, "db") });
    dbB = conn.url ? await openDb({ dataDir: "", url: conn.url, poolSize: 2 }) : db;
    video = testMp4(8);
    await storeEvent(bucket, db, "ev1", {
      category: null,
      startedAt: T0,
      video,
      bodycams: [{ id: "bc1", commandedAt: new Date(T0).toISOString(), confirmedAt: null }],
    });
    const clip = Buffer.from("body cam clip bytes ".repeat(300));
    const clipManifest = Buffer.from('{"clipId":"c1"}');
    await bucket.put("bodycams/bc1/c1/clip.mp4", clip);
    await bucket.put("bodycams/bc1/c1/manifest.json", clipManifest);
    await new ClipsRepository(db).upsert({
      clipId: "c1",
      camId: "bc1",
      officer: "o1",
      vehicleId: "car1",
      eventId: "ev1",
      startedAt: new Date(T0).toISOString(),
      endedAt: new Date(T0 + 30_000).toISOString(),
      clockOffsetMs: 0,
      alignedStart: new Date(T0).toISOString(),
      alignedEnd: new Date(T0 + 30_000).toISOString(),
      keyPrefix: "bodycams/bc1/c1/",
      manifestSha256: sha256Hex(clipManifest),
      manifest: { clipId: "c1" },
      bytes: clip.length,
      files: [
        {
          file: "clip.mp4",
          objectKey: "bodycams/bc1/c1/clip.mp4",
          sha256: sha256Hex(clip),
          bytes: clip.length,
          durationSeconds: 30,
        },
      ],
    });
    await new IncidentsRepository(db).link("ev1", "c1", "event-id");
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    remover?.close();
    for (const st of stores) st.close();
    if (dbB !== db) await dbB?.close();
    await db?.close();
    await bucket.stop();
    await engine.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("share links, holds, categories, export and report; the audit log holds each action once", async () => {
    const a = await stationProcess(db);
    const b = await stationProcess(dbB);

    // a viewer cannot place a hold; a supervisor can, with a reason
    expect(
      (
        await fetch(`${a}/api/custody/holds`, {
          method: "POST",
          headers: as("viewer1", "viewer"),
          body: "{}",
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await fetch(`${a}/api/custody/holds`, {
          method: "POST",
          headers: as("sup"),
          body: JSON.stringify({ scope: "incident", target: "ev1", reason: "" }),
        })
      ).status,
    ).toBe(400);
    const hold = await fetch(`${a}/api/custody/holds`, {
      method: "POST",
      headers: as("sup"),
      body: JSON.stringify({ scope: "incident", target: "ev1", reason: "use of force review" }),
    });
    expect(hold.status).toBe(201);
    const put = await fetch(`${a}/api/custody/items/events/ev1/categories`, {
      method: "PUT",
      headers: as("officer1", "viewer"),
      body: JSON.stringify({ categories: ["arrest"] }),
    });
    expect(await put.json()).toEqual({ categories: ["arrest"] });
    const state = await fetch(`${a}/api/custody/items/events/ev1`, { headers: as("viewer1", "viewer") });
    expect(await state.json()).toEqual({
      kind: "event",
      id: "ev1",
      categories: ["arrest"],
      held: true,
      state: "held",
    });

    // the case number (an incident change) is audited too
    const caseSet = await fetch(`${a}/api/incidents/ev1/case`, {
      method: "PUT",
      headers: as("sup"),
      body: JSON.stringify({ caseNumber: "2026-CR-17" }),
    });
    expect(caseSet.status).toBe(200);

    // a supervisor plays the video: one `viewed` entry; the player's later range reads are not views
    const played = await fetch(`${a}/media/events/ev1/front.mp4`, { headers: as("sup") });
    expect(Buffer.from(await played.arrayBuffer()).equals(video)).toBe(true);
    const seek = await fetch(`${a}/media/events/ev1/front.mp4`, {
      headers: { ...as("sup"), range: "bytes=100-199" },
    });
    expect(seek.status).toBe(206);
    await seek.arrayBuffer();

    // a share link, used through station process B
    const created = await fetch(`${a}/api/custody/shares`, {
      method: "POST",
      headers: as("sup"),
      body: JSON.stringify({ incident: "ev1", recipient: "DA Smith", hours: 48 }),
    });
    expect(created.status).toBe(201);
    const share = (await created.json()) as { id: string; url: string };
    expect(share.url).toMatch(/^\/share\/[A-Za-z0-9_-]{43}$/);
    const pageRes = await fetch(`${b}${share.url}`);
    expect(pageRes.status).toBe(200);
    const page = await pageRes.text();
    expect(page).toContain("DA Smith");
    const href = /href="([^"]*front\.mp4)"/.exec(page)?.[1] as string;
    expect(href).toMatch(/^\/share\/[A-Za-z0-9_-]{43}\/events\/ev1\/front\.mp4$/);
    const download = await fetch(`${b}${href}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(video)).toBe(true);
    expect(page).not.toContain(bucket.s3.endpoint);

    // revoked through A: B refuses it at once (it checks the database on every use)
    const revokedAt = performance.now();
    expect(
      (await fetch(`${a}/api/custody/shares/${share.id}`, { method: "DELETE", headers: as("sup") })).status,
    ).toBe(200);
    const afterRevoke = await fetch(`${b}${href}`);
    const tookMs = performance.now() - revokedAt;
    expect(afterRevoke.status).toBe(403);
    expect(tookMs).toBeLessThan(1000);
    expect((await fetch(`${b}${share.url}`)).status).toBe(403); // reused after revocation

    // forged and expired links
    expect((await fetch(`${b}/share/${"A".repeat(43)}`)).status).toBe(403);
    const shortLived = (await (
      await fetch(`${a}/api/custody/shares`, {
        method: "POST",
        headers: as("sup"),
        body: JSON.stringify({ incident: "ev1", recipient: "defence", hours: 1 }),
      })
    ).json()) as { url: string };
    clock.advance(3_600_000);
    expect((await fetch(`${b}${shortLived.url}`)).status).toBe(403);

    // export the incident with a clip; it verifies offline and is marked as held
    const zipPath = join(dir, "ev1.zip");
    const exp = await fetch(`${a}/api/custody/exports`, {
      method: "POST",
      headers: as("sup"),
      body: JSON.stringify({
        incident: "ev1",
        clip: { itemId: "ev1", file: "front.mp4", fromSeconds: 2, toSeconds: 6 },
      }),
    });
    expect(exp.status).toBe(200);
    await pipeline(Readable.fromWeb(exp.body as never), createWriteStream(zipPath));
    const report = await verifyExport(zipPath, {
      publicKeyPem: loadOrCreateStationKey(stationDir).publicPem,
    });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.items).toBe(2);
    expect(report.findings.map((f) => f.message)).toContain("export is marked: held");

    // the accountability report: bc1 did not confirm; car1 has an upload the station has waited 25 h for
    for (const [prefix, hoursAgo] of [
      ["car1/20261101T000000Z-car1-0001/", 25],
      ["car1/20261101T000000Z-car1-0002/", 2],
    ] as const) {
      await db.query(
        "INSERT INTO ingest_jobs (key_prefix, kind, state, enqueued_at) VALUES ($1, 'event', 'pending', $2)",
        [prefix, new Date(clock.now() - hoursAgo * 3_600_000).toISOString()],
      );
    }
    const csv = await (
      await fetch(
        `${a}/custody/report.csv?from=${new Date(T0 - 86_400_000).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}`,
        {
          headers: as("sup"),
        },
      )
    ).text();
    expect(csv).toContain("officer,o1,1,0,bc1x1,0,0,0,ev1\r\n");
    expect(csv).toContain("vehicle,car1,1,0,bc1x1,0,1,0,ev1 20261101T000000Z-car1-0001\r\n");
    const html = await (await fetch(`${a}/custody/report`, { headers: as("sup") })).text();
    expect(html).toContain("bc1 ×1");
    expect((await fetch(`${a}/custody/report`, { headers: as("v", "viewer") })).status).toBe(403);

    // release needs a reason; then the station audit log verifies and lists every action exactly once
    expect(
      (
        await fetch(`${a}/api/custody/holds/1/release`, {
          method: "POST",
          headers: as("sup"),
          body: JSON.stringify({ reason: "review closed" }),
        })
      ).status,
    ).toBe(200);
    const verified = await verifyDataDir(stationDir);
    expect(verified.findings).toEqual([]);
    const entries = (await new StationAuditLog(db, clock).entries()).map(
      (e) => `${e.type} ${e.subjectId} ${e.user}`,
    );
    expect(entries.map((e) => e.replace(/share:[0-9a-f]+/, "share:ID"))).toEqual([
      "hold-placed ev1 sup",
      "category-changed ev1 officer1",
      "case-number-set ev1 sup",
      "viewed ev1 sup",
      "share-created ev1 sup",
      "share-used ev1 share:ID",
      "share-used ev1 share:ID",
      "share-revoked ev1 sup",
      "share-refused ev1 share:ID",
      "share-refused ev1 share:ID",
      "share-refused null share:unknown",
      "share-created ev1 sup",
      "share-refused ev1 share:ID",
      "exported ev1 sup",
      "hold-released ev1 sup",
    ]);
    expect(verified.auditEntries).toBe(entries.length);
  }, 120_000);

  it("guessed share tokens: 403 and audited one by one up to 20 a minute, then 429 and one summary entry", async () => {
    const c = await stationProcess(db);
    const audit = new StationAuditLog(db, clock, stationDir);
    const before = (await audit.entries()).length;
    const guess = (i: number) => fetch(`${c}/share/${String(i).padStart(43, "G")}`);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await guess(i)).status);
    expect(statuses).toEqual([...Array(20).fill(403), ...Array(5).fill(429)]);
    const throttled = await guess(99);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    let added = (await audit.entries()).slice(before);
    expect(added.map((e) => e.type)).toEqual(Array(20).fill("share-refused"));

    // a minute later: the summary of the 6 suppressed refusals comes first, then the new refusal
    clock.advance(60_000);
    expect((await guess(100)).status).toBe(403);
    added = (await audit.entries()).slice(before + 20);
    expect(added.map((e) => `${e.type} ${e.user}`)).toEqual([
      "share-refusals-throttled share:unknown",
      "share-refused share:unknown",
    ]);
    const summary = JSON.parse((await audit.lines(before + 20))[0] as string);
    expect(summary).toMatchObject({ suppressed: 6, reason: "forged" });
    expect((await verifyDataDir(stationDir)).findings).toEqual([]);
  }, 60_000);
});
