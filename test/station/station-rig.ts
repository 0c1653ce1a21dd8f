import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { stringify } from "yaml";
import { type StationFile, stationFileSchema } from "../../src/station/config.js";
import type { Db } from "../../src/station/db.js";
import { Ingest } from "../../src/station/ingest.js";
import { openS3Store } from "../../src/station/object-store.js";
import { silentStationLogger } from "../../src/station/station-logger.js";
import type { S3ServerProcess } from "../evidence/s3-server.js";
import type { Engine } from "../support/station-db.js";
import { CREDENTIALS } from "./car-upload.js";

/** Shared set-up of the station tests: a fresh database of the engine, an ingest against s3rver. */
export async function ingestFor(
  db: Db,
  s3: S3ServerProcess,
  extra: { workerId?: string; leaseSeconds?: number } = {},
) {
  const store = await openS3Store({
    endpoint: s3.endpoint,
    region: "us-east-1",
    bucket: s3.bucket,
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  const ingest = new Ingest({
    db,
    store,
    bucket: s3.bucket,
    prefix: "",
    log: silentStationLogger(),
    maxManifestBytes: 64 * 1024,
    concurrency: 2,
    ...extra,
    leaseSeconds: extra.leaseSeconds ?? 60,
  });
  return { ingest, close: () => store.close() };
}

/** Empty the bucket between tests (s3rver restarted on the same port). */
export async function clearBucket(s3: S3ServerProcess): Promise<void> {
  await s3.stop();
  rmSync(join(s3.dir, s3.bucket), { recursive: true, force: true });
  mkdirSync(join(s3.dir, s3.bucket));
  await s3.start();
}

/** A station config for a fresh database of the engine, the s3rver bucket and an ephemeral port. */
export async function stationConfig(
  engine: Engine,
  s3: S3ServerProcess,
  credentialsFile: string,
): Promise<StationFile> {
  const conn = await engine.fresh();
  return stationFileSchema.parse({
    station: {
      dataDir: conn.dataDir,
      storage: { s3: { endpoint: s3.endpoint, bucket: s3.bucket, credentialsFile } },
      database: conn.url ? { url: conn.url } : {},
      http: { host: "127.0.0.1", port: 0 },
      ingest: { enabled: false },
    },
    log: { level: "silent" },
  });
}

/**
 * The life cycle every station suite shares: the engine and s3rver for the file, a list of
 * cleanups run after each test, and an empty bucket for the next one.
 */
export function stationSuite(engine: Engine, s3: S3ServerProcess) {
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    await Promise.all([engine.setup(), s3.start()]);
  });
  afterAll(async () => {
    await s3.dispose();
    await engine.teardown();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await clearBucket(s3);
  });
  return {
    later(fn: () => Promise<void> | void) {
      cleanups.push(fn);
    },
  };
}

/** A station YAML file for the `camsync station` CLI (fresh database of the engine, the s3rver bucket); its path and connection. */
export async function writeStationYaml(
  engine: Engine,
  s3: S3ServerProcess,
  dir: string,
  station: Record<string, unknown>,
  log: Record<string, unknown> = {},
): Promise<{ path: string; conn: { url?: string; dataDir: string } }> {
  const credentials = join(dir, "s3-credentials");
  writeFileSync(credentials, JSON.stringify(CREDENTIALS));
  chmodSync(credentials, 0o600);
  const conn = await engine.fresh();
  const path = join(dir, "station.yaml");
  writeFileSync(
    path,
    stringify({
      station: {
        dataDir: conn.dataDir,
        storage: { s3: { endpoint: s3.endpoint, bucket: s3.bucket, credentialsFile: credentials } },
        ...(conn.url ? { database: { url: conn.url } } : {}),
        ...station,
      },
      log,
    }),
  );
  return { path, conn };
}
