import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { silentLogger } from "../../src/core/logger.js";
import { type StationFile, stationFileSchema } from "../../src/station/config.js";
import {
  Custody,
  CustodyConfigRefused,
  checkCustodyAgainstIndex,
} from "../../src/station/custody/custody-station.js";
import { openFsStore } from "../../src/station/object-store.js";
import { openStationDb } from "../../src/station/station.js";
import { runStation } from "../../src/station/station-cli.js";
import { captureCli } from "../evidence/cli-capture.js";
import { engines } from "../support/station-db.js";
import { CustodyBucket, storeEvent } from "./custody-support.js";

const T0 = Date.UTC(2026, 0, 10, 12);

describe.each(engines())("custody config against the index on $name", (engine) => {
  const bucket = new CustodyBucket();
  const dir = mkdtempSync(join(tmpdir(), "camsync-custody-config-"));
  beforeAll(() => Promise.all([engine.setup(), bucket.start()]));
  afterAll(async () => {
    await bucket.stop();
    await engine.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses (at start and in `camsync station check`) a category config that shortens a held item's retention", async () => {
    const conn = await engine.fresh();
    const input = (arrest: string) => ({
      station: {
        dataDir: conn.dataDir,
        storage: { path: join(dir, "bucket") },
        database: conn.url ? { url: conn.url } : {},
        custody: {
          categories: { "non-evidence": { retention: "90d" }, arrest: { retention: arrest } },
        },
      },
      log: { level: "silent" },
    });
    const file = (arrest: string): StationFile => stationFileSchema.parse(input(arrest));
    const store = openFsStore(join(dir, "bucket"));
    const log = silentLogger();

    let db = await openStationDb(file("5y"));
    await storeEvent(bucket, db, "ev-arrest", { category: "arrest", startedAt: T0 });
    await storeEvent(bucket, db, "ev-free", { category: "arrest", startedAt: T0 });
    // the station runs with arrest 5 y; a supervisor holds one arrest incident
    const first = await Custody.open(file("5y"), db, store, log);
    await first.stop();
    await first.services.custody.placeHold("sup", "incident", "ev-arrest", "appeal pending");

    expect(await checkCustodyAgainstIndex(db, file("7y").station.custody)).toEqual([]);
    const problems = await checkCustodyAgainstIndex(db, file("2y").station.custody);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("event ev-arrest (arrest) is under legal hold");
    await expect(Custody.open(file("2y"), db, store, log)).rejects.toBeInstanceOf(CustodyConfigRefused);
    await db.close();

    // the same check from the command line, on the config file (the station is not running here)
    const yamlPath = join(dir, "station.yaml");
    writeFileSync(yamlPath, stringify(input("2y")));
    const refused = await captureCli(() => runStation(["check", "--config", yamlPath]));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("event ev-arrest (arrest) is under legal hold");
    writeFileSync(yamlPath, stringify(input("7y")));
    expect((await captureCli(() => runStation(["check", "--config", yamlPath]))).code).toBe(0);

    // once the hold is released, a shorter retention is accepted
    db = await openStationDb(file("5y"));
    const again = await Custody.open(file("5y"), db, store, log);
    await again.stop();
    const [hold] = await again.services.custody.holds();
    await again.services.custody.releaseHold("sup", hold?.id ?? 0, "appeal decided");
    expect(await checkCustodyAgainstIndex(db, file("2y").station.custody)).toEqual([]);
    await db.close();
  }, 120_000);
});
