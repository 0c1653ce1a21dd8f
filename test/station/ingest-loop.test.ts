import { getEventListeners } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import type { Db } from "../../src/station/db.js";
import { Ingest } from "../../src/station/ingest.js";
import { IngestLoop } from "../../src/station/ingest-loop.js";
import { openFsStore } from "../../src/station/object-store.js";
import { openDb } from "../../src/station/open-db.js";

/**
 * The ingest worker loop over a real `Ingest` (embedded PGlite, a bucket directory): a long run must not
 * pile abort listeners onto the station's signal, one per pass (it did: MaxListenersExceededWarning).
 */
const dir = mkdtempSync(join(tmpdir(), "camsync-ingest-loop-"));
const dbs: Db[] = [];
afterAll(async () => {
  for (const db of dbs) await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function realIngest(name: string): Promise<Ingest> {
  const db = await openDb({ dataDir: join(dir, name, "db") });
  dbs.push(db);
  const bucket = join(dir, name, "bucket");
  mkdirSync(bucket, { recursive: true });
  return new Ingest({
    db,
    store: openFsStore(bucket),
    bucket: "",
    prefix: "",
    log: silentLogger(),
    leaseSeconds: 60,
    maxManifestBytes: 64 * 1024,
    concurrency: 2,
  });
}

const until = async (cond: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return cond();
};

describe("station ingest loop", () => {
  it("runs hundreds of passes with at most one abort listener on the signal, and no listener warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    const abort = new AbortController();
    // a scan on every pass and no idle between passes: as many passes as the database allows
    const loop = new IngestLoop(await realIngest("busy"), {
      scanEveryMs: 0,
      maxIdleMs: 0,
      log: silentLogger(),
    });
    const running = loop.run(abort.signal);
    let most = 0;
    const sample = setInterval(() => {
      most = Math.max(most, getEventListeners(abort.signal, "abort").length);
    }, 1);
    try {
      expect(await until(() => loop.passes >= 300, 60_000)).toBe(true);
      most = Math.max(most, getEventListeners(abort.signal, "abort").length);
    } finally {
      clearInterval(sample);
      abort.abort();
      await running;
      process.off("warning", onWarning);
    }
    expect(most).toBeLessThanOrEqual(1);
    expect(getEventListeners(abort.signal, "abort")).toHaveLength(0);
    expect(warnings.filter((w) => w.includes("MaxListeners"))).toEqual([]);
  });

  it("idles between passes until the next scan, and a kick or the abort ends the idle at once", async () => {
    const abort = new AbortController();
    const loop = new IngestLoop(await realIngest("idle"), { scanEveryMs: 60_000, log: silentLogger() });
    const running = loop.run(abort.signal);
    expect(await until(() => loop.passes === 1, 10_000)).toBe(true);
    for (let kicks = 1; kicks <= 20; kicks++) {
      loop.kick();
      expect(await until(() => loop.passes === kicks + 1, 5000)).toBe(true);
      expect(await until(() => getEventListeners(abort.signal, "abort").length === 1, 1000)).toBe(true);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(loop.passes).toBe(21); // idle: no pass without a kick (the next scan is a minute away)
    const t0 = Date.now();
    abort.abort();
    await running;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(getEventListeners(abort.signal, "abort")).toHaveLength(0);
  });
});
