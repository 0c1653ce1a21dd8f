// Station ingest with hash verification from a real s3rver on loopback: events (2 cameras × 16 MiB
// each) are put in the bucket, then timed: one listing pass, every object streamed and SHA-256
// hashed against its manifest, and the events indexed (PGlite). Imports dist/ (npm run build first).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startS3rver } from "./evidence.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(join(root, "dist", p));
const MiB = 1024 * 1024;
const EVENTS = Number(process.env.STATION_BENCH_INGEST_EVENTS ?? 12);
const FILE_BYTES = 16 * MiB;
const silent = { child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };

export async function run() {
  const { sha256Hex } = await dist("storage/sha256.js");
  const { openDb } = await dist("station/db.js");
  const { openS3Store } = await dist("station/object-store.js");
  const { Ingest } = await dist("station/ingest.js");
  const s3dir = mkdtempSync(join(tmpdir(), "camsync-bench-s3-"));
  const dbDir = mkdtempSync(join(tmpdir(), "camsync-bench-station-"));
  const server = await startS3rver(s3dir);
  const endpoint = `http://127.0.0.1:${server.port}`;
  const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
  const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials });
  try {
    // one random 16 MiB block per camera, reused (hashing cost does not depend on the content)
    const blocks = [randomBytes(FILE_BYTES), randomBytes(FILE_BYTES)];
    const shas = blocks.map((b) => sha256Hex(b));
    for (let i = 0; i < EVENTS; i++) {
      const eventId = `20261126T14${String(i).padStart(4, "0")}Z-unit12-${(0x1000 + i).toString(16)}`;
      const prefix = `unit12/${eventId}/`;
      const cameras = ["front", "rear"].map((name, c) => ({
        name,
        files: [{ file: `${name}.mp4`, sha256: shas[c], bytes: FILE_BYTES }],
      }));
      for (const [c, cam] of cameras.entries())
        await client.send(
          new PutObjectCommand({ Bucket: "evidence", Key: `${prefix}${cam.name}.mp4`, Body: blocks[c] }),
        );
      const manifest = {
        manifestVersion: 1,
        eventId,
        vehicle: { id: "unit12" },
        officer: "B1",
        startedAt: new Date(Date.UTC(2026, 10, 26, 14, i)).toISOString(),
        endedAt: null,
        origin: { kind: "lightbar", id: "lightbar" },
        cameras,
        bodycams: [],
      };
      await client.send(
        new PutObjectCommand({
          Bucket: "evidence",
          Key: `${prefix}manifest.json`,
          Body: JSON.stringify(manifest),
        }),
      );
    }
    const store = await openS3Store({
      endpoint,
      region: "us-east-1",
      bucket: "evidence",
      forcePathStyle: true,
      credentials,
    });
    const rates = [];
    try {
      // best of 3 passes, each into a fresh index (this machine is shared; the best pass is the
      // one least disturbed by other processes)
      for (let pass = 0; pass < 3; pass++) {
        const db = await openDb({ dataDir: join(dbDir, String(pass)) });
        try {
          const ingest = new Ingest({
            db,
            store,
            bucket: "evidence",
            prefix: "",
            log: silent,
            leaseSeconds: 300,
            maxManifestBytes: 4 * MiB,
            concurrency: Number(process.env.STATION_BENCH_JOBS ?? 2),
            objectParallelism: Number(process.env.STATION_BENCH_OBJECTS ?? 1),
          });
          const t = performance.now();
          await ingest.scan();
          const outcomes = await ingest.drain();
          const seconds = (performance.now() - t) / 1000;
          const indexed = outcomes.filter((o) => o === "indexed").length;
          if (indexed !== EVENTS) throw new Error(`indexed ${indexed} of ${EVENTS}: ${outcomes.join(",")}`);
          rates.push(ingest.bytesHashed / MiB / seconds);
        } finally {
          await db.close();
        }
      }
    } finally {
      store.close();
    }
    const rate = Math.max(...rates);
    return {
      name: "station ingest",
      figures: [
        {
          key: "stationIngestMiBPerSecond",
          label: `station ingest from s3rver on loopback (${EVENTS} events × 2 × 16 MiB, every object SHA-256 verified, indexed in PGlite; best of 3 passes: ${rates.map((r) => Math.round(r)).join(", ")} MiB/s)`,
          value: Math.round(rate),
          unit: "MiB/s",
          target: "≥ 200 MiB/s",
          meets: rate >= 200,
        },
      ],
    };
  } finally {
    client.destroy();
    server.child.kill("SIGKILL");
    rmSync(s3dir, { recursive: true, force: true });
    rmSync(dbDir, { recursive: true, force: true });
  }
}
