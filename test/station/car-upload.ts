import { rmSync } from "node:fs";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Bus } from "../../src/core/bus.js";
import { FakeClock } from "../../src/core/fake-clock.js";
import { silentLogger } from "../../src/daemon/logger.js";
import { type AuditLog, createAuditLog } from "../../src/evidence/audit-log.js";
import { offloadConfigSchema } from "../../src/evidence/config.js";
import { createOffload, type Offload } from "../../src/evidence/offload.js";
import { type FixtureEvent, type FixtureOptions, makeEvent, tempDataDir } from "../evidence/event-fixture.js";
import type { S3ServerProcess } from "../evidence/s3-server.js";

/**
 * A car for the station tests: a data dir with the daemon's real audit log and offload, whose
 * events (made by the recorder's fixture, see test/evidence/event-fixture.ts) are uploaded to s3rver
 * exactly as a car in range of the station uploads them.
 */
export const CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export class TestCar {
  readonly dataDir = tempDataDir("station-car");
  readonly clock = new FakeClock(Date.UTC(2026, 10, 26, 18));
  readonly bus = new Bus();
  readonly audit: AuditLog;
  private offload: Offload | undefined;

  constructor(private readonly s3: S3ServerProcess) {
    this.audit = createAuditLog({
      dataDir: this.dataDir,
      bus: this.bus,
      clock: this.clock,
      logger: silentLogger(),
    });
  }

  async start(): Promise<void> {
    await this.audit.start();
    this.offload = createOffload({
      config: offloadConfigSchema.parse({
        enabled: true,
        endpoint: this.s3.endpoint,
        bucket: this.s3.bucket,
        partSizeMiB: 5,
        verify: "checksum",
        requestTimeoutSeconds: 20,
      }),
      vehicleId: "unit12",
      dataDir: this.dataDir,
      bus: this.bus,
      clock: this.clock,
      logger: silentLogger(),
      audit: this.audit,
      credentials: CREDENTIALS,
    });
    await this.offload.start();
  }

  /** A finished event, recorded in the audit log as the recorder would. */
  record(opts: FixtureOptions): FixtureEvent {
    const e = makeEvent(this.dataDir, opts);
    this.audit.recordFinalized(e.eventId, e.dir, e.manifestSha256);
    return e;
  }

  /** One offload pass (uploads and verifies everything pending). */
  async upload(): Promise<string[]> {
    if (!this.offload) throw new Error("car not started");
    const r = await this.offload.runOnce();
    if (r.failed.length > 0) throw new Error(`offload failed: ${JSON.stringify(r.failed)}`);
    return r.verified;
  }

  async stop(): Promise<void> {
    await this.offload?.stop();
    await this.audit.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Put an object straight into the bucket (hostile uploads, body-cam clips). */
export async function putObject(s3: S3ServerProcess, key: string, body: string | Buffer): Promise<void> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  try {
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  } finally {
    client.destroy();
  }
}

export interface ClipOptions {
  camId: string;
  clipId: string;
  eventId?: string | null;
  officer?: string | null;
  /** On the cam's clock. */
  startedAt: number;
  endedAt: number;
  clockOffsetMs?: number;
  bytes?: number;
}

/** A body-cam clip as a dock uploads it (contract v1, docs/protocol.md): the video, then its manifest. */
export async function putClip(
  s3: S3ServerProcess,
  o: ClipOptions,
): Promise<{ keyPrefix: string; sha256: string }> {
  const { randomBytes } = await import("node:crypto");
  const { sha256Hex } = await import("../../src/storage/sha256.js");
  const data = randomBytes(o.bytes ?? 4096);
  const keyPrefix = `bodycams/${o.camId}/${o.clipId}/`;
  await putObject(s3, `${keyPrefix}clip.mp4`, data);
  const manifest = {
    clipManifestVersion: 1,
    camId: o.camId,
    clipId: o.clipId,
    officer: o.officer ?? null,
    vehicleId: "unit12",
    eventId: o.eventId ?? null,
    startedAt: new Date(o.startedAt).toISOString(),
    endedAt: new Date(o.endedAt).toISOString(),
    clockOffsetMs: o.clockOffsetMs ?? 0,
    clockSource: "car",
    files: [
      {
        file: "clip.mp4",
        sha256: sha256Hex(data),
        bytes: data.length,
        durationSeconds: (o.endedAt - o.startedAt) / 1000,
      },
    ],
  };
  await putObject(s3, `${keyPrefix}manifest.json`, JSON.stringify(manifest));
  return { keyPrefix, sha256: sha256Hex(data) };
}
