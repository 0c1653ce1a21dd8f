// Evidence: audit entry latency (one write + fsync each), `camsync verify` throughput over a data dir,
// and offload throughput (multipart upload + read-back verification) to a real s3rver process on loopback.
// Imports the built code from dist/ (npm run build first).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(join(root, "dist", p));
const MiB = 1024 * 1024;

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const silent = { child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };

async function makeEvents(dataDir, audit, count, bytesPerEvent) {
  const { serializeManifest } = await dist("evidence/manifest-file.js");
  const { sha256Hex } = await dist("storage/sha256.js");
  const ids = [];
  for (let i = 0; i < count; i++) {
    const eventId = `20261126T1${String(i).padStart(5, "0")}Z-bench-${(0x1000 + i).toString(16)}`;
    const dir = join(dataDir, "events", eventId);
    mkdirSync(dir, { recursive: true });
    const data = randomBytes(bytesPerEvent);
    writeFileSync(join(dir, "front.mp4"), data);
    const manifest = {
      manifestVersion: 1,
      eventId,
      officer: "B1",
      startedAt: new Date(Date.UTC(2026, 10, 26, 10, i)).toISOString(),
      cameras: [
        {
          name: "front",
          files: [{ file: "front.mp4", sha256: sha256Hex(data), bytes: data.length }],
          gaps: [],
        },
      ],
      bodycams: [],
    };
    const text = serializeManifest(manifest);
    writeFileSync(join(dir, "manifest.json"), text);
    audit.recordFinalized(eventId, dir, sha256Hex(text));
    ids.push(eventId);
  }
  return ids;
}

export function startS3rver(dir) {
  const child = spawn(process.execPath, [join(root, "test/evidence/s3rver-process.mjs")], {
    env: { ...process.env, S3_DIR: dir, S3_BUCKET: "evidence", S3_PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let buf = "";
    child.once("exit", (c) => reject(new Error(`s3rver exited (${c})`)));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      buf += chunk;
      const m = /READY (\d+)/.exec(buf);
      if (m) resolve({ child, port: Number(m[1]) });
      if (buf.length > 1e6) buf = buf.slice(-1000);
    });
  });
}

export async function run() {
  const { AuditLog } = await dist("evidence/audit-log.js");
  const { verifyDataDir } = await dist("evidence/verify.js");
  const { createOffload } = await dist("evidence/offload.js");
  const { offloadConfigSchema } = await dist("evidence/config.js");
  const { Bus } = await dist("core/bus.js");
  const { systemClock } = await dist("core/clock.js");
  const dataDir = mkdtempSync(join(tmpdir(), "camsync-bench-evidence-"));
  const s3dir = mkdtempSync(join(tmpdir(), "camsync-bench-s3-"));
  let server;
  try {
    const bus = new Bus();
    const audit = new AuditLog({ dataDir, clock: systemClock, logger: silent, bus });
    audit.open();
    const lat = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      audit.append("bench", {
        i,
        reason: "an entry the size of a decision record, with an origin and a reason",
      });
      lat.push(performance.now() - t);
    }

    const events = 8;
    const perEvent = 24 * MiB;
    await makeEvents(dataDir, audit, events, perEvent);
    const tv = performance.now();
    const report = await verifyDataDir(dataDir);
    const verifySeconds = (performance.now() - tv) / 1000;
    if (!report.ok) throw new Error(`bench data dir did not verify: ${JSON.stringify(report.findings[0])}`);
    const verifyRate = (events * perEvent) / MiB / verifySeconds;

    server = await startS3rver(s3dir);
    const offload = createOffload({
      config: offloadConfigSchema.parse({
        enabled: true,
        endpoint: `http://127.0.0.1:${server.port}`,
        bucket: "evidence",
        partSizeMiB: 8,
        verify: "read-back",
      }),
      vehicleId: "bench",
      dataDir,
      bus,
      clock: systemClock,
      logger: silent,
      audit,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    await offload.start();
    const tu = performance.now();
    const result = await offload.runOnce();
    const uploadSeconds = (performance.now() - tu) / 1000;
    await offload.stop();
    audit.close();
    if (result.verified.length !== events)
      throw new Error(`bench upload: ${JSON.stringify(result.failed[0])}`);
    const uploadRate = (events * perEvent) / MiB / uploadSeconds;

    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);
    return {
      name: "evidence",
      figures: [
        {
          key: "auditAppendP50Ms",
          label: "audit entry written and fsynced (p50, 500 entries)",
          value: Number(p50.toFixed(3)),
          unit: "ms",
          target: "≤ 20 ms (evidence lines are written synchronously)",
          meets: p50 <= 20,
        },
        {
          key: "auditAppendP99Ms",
          label: "audit entry written and fsynced (p99)",
          value: Number(p99.toFixed(3)),
          unit: "ms",
          target: "≤ 50 ms",
          meets: p99 <= 50,
        },
        {
          key: "verifyMiBPerSecond",
          label: `camsync verify over a data dir (${events} events × ${perEvent / MiB} MiB, hashes + audit chain)`,
          value: Math.round(verifyRate),
          unit: "MiB/s",
          target: "≥ 100 MiB/s (a 60-min event verified in seconds)",
          meets: verifyRate >= 100,
        },
        {
          key: "offloadMiBPerSecond",
          label: `offload to s3rver on loopback (${events} events, 8 MiB multipart, read-back verified)`,
          value: Math.round(uploadRate),
          unit: "MiB/s",
          target: "≥ 20 MiB/s (faster than station Wi-Fi, so the link is the limit)",
          meets: uploadRate >= 20,
        },
      ],
    };
  } finally {
    server?.child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(s3dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
