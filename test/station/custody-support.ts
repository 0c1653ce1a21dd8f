import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { isRole } from "../../src/station/auth-service.js";
import type { CustodyStore } from "../../src/station/custody/custody-service.js";
import type { ObjectSource } from "../../src/station/custody/export-service.js";
import { openS3Remover } from "../../src/station/custody/object-remover.js";
import type { Db } from "../../src/station/db.js";
import { EventsRepository } from "../../src/station/events-repository.js";
import { HttpError, type Router, sendJson } from "../../src/station/http-router.js";
import { openS3Store } from "../../src/station/object-store.js";
import { statusOf } from "../../src/station/station-api.js";
import { sha256Hex } from "../../src/storage/sha256.js";
import { S3ServerProcess } from "../evidence/s3-server.js";

/** A real s3rver with the evidence bucket, and what custody tests put in it and index. */
export class CustodyBucket {
  readonly s3 = new S3ServerProcess("evidence");
  readonly bucket = "evidence";
  client!: S3Client;
  private readonly credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

  async start(): Promise<void> {
    await this.s3.start();
    this.client = new S3Client({
      endpoint: this.s3.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: this.credentials,
    });
  }

  async stop(): Promise<void> {
    this.client?.destroy();
    await this.s3.dispose();
  }

  remover() {
    return openS3Remover({
      endpoint: this.s3.endpoint,
      region: "us-east-1",
      bucket: "evidence",
      forcePathStyle: true,
      credentials: this.credentials,
    });
  }

  /** The station's read-only object store on this bucket. */
  store() {
    return openS3Store({
      endpoint: this.s3.endpoint,
      region: "us-east-1",
      bucket: "evidence",
      forcePathStyle: true,
      credentials: this.credentials,
    });
  }

  /** What retention's deletion uses: the station's read-only store plus the remover. */
  async custodyStore(): Promise<CustodyStore & { close(): void }> {
    const store = await this.store();
    const remover = await this.remover();
    return {
      list: (prefix, after, max) => store.list(prefix, after, max),
      get: (key) => store.get(key),
      delete: (key) => remover.delete(key),
      close() {
        store.close();
        remover.close();
      },
    };
  }

  /** Every key in the bucket under a prefix. */
  async keys(prefix: string): Promise<string[]> {
    const r = await this.client.send(new ListObjectsV2Command({ Bucket: "evidence", Prefix: prefix }));
    return (r.Contents ?? []).map((o) => o.Key ?? "").sort();
  }

  /** Reading objects as the station does (streamed GetObject, prefix listing). */
  source(): ObjectSource {
    return {
      get: async (key) => {
        const r = await this.client.send(new GetObjectCommand({ Bucket: "evidence", Key: key }));
        return { stream: r.Body as Readable };
      },
      list: async (prefix) => {
        const r = await this.client.send(new ListObjectsV2Command({ Bucket: "evidence", Prefix: prefix }));
        return { objects: (r.Contents ?? []).map((o) => ({ key: o.Key ?? "" })) };
      },
    };
  }

  async put(key: string, body: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: "evidence", Key: key, Body: body }));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: "evidence", Key: key }));
      return true;
    } catch {
      return false;
    }
  }
}

/** A small real MP4 (2 s GOP, moov first as the car assembles it). */
export function testMp4(seconds = 8): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "camsync-mp4-"));
  try {
    const out = join(dir, "v.mp4");
    execFileSync("ffmpeg", [
      ...[
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        `testsrc=size=160x120:rate=10:duration=${seconds}`,
      ],
      ...["-c:v", "libx264", "-g", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart", out],
    ]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Put a car event's objects in the bucket and index it (what ingest does once they verified). */
export async function storeEvent(
  bucket: CustodyBucket,
  db: Db,
  eventId: string,
  opts: { category: string | null; startedAt: number; video?: Buffer; bodycams?: unknown[] },
): Promise<string[]> {
  const prefix = `car1/${eventId}/`;
  const video = opts.video ?? Buffer.from(`video of ${eventId} `.repeat(500));
  const manifestJson = {
    eventId,
    category: opts.category,
    cameras: [
      { name: "front", files: [{ file: "front.mp4", sha256: sha256Hex(video), bytes: video.length }] },
    ],
    bodycams: opts.bodycams ?? [],
  };
  const manifest = Buffer.from(JSON.stringify(manifestJson));
  await bucket.put(`${prefix}front.mp4`, video);
  await bucket.put(`${prefix}manifest.json`, manifest);
  await new EventsRepository(db).upsert({
    eventId,
    vehicleId: "car1",
    vehicleName: null,
    agency: null,
    officer: "o1",
    startedAt: new Date(opts.startedAt).toISOString(),
    endedAt: new Date(opts.startedAt + 60_000).toISOString(),
    triggerKind: "lightbar",
    triggerId: "lb",
    category: opts.category,
    critical: false,
    notes: "",
    clockOffsetMs: 0,
    preEventSeconds: 30,
    keyPrefix: prefix,
    manifestSha256: sha256Hex(manifest),
    manifest: manifestJson,
    auditState: "verified",
    bytes: video.length,
    files: [
      {
        file: "front.mp4",
        camera: "front",
        objectKey: `${prefix}front.mp4`,
        sha256: sha256Hex(video),
        bytes: video.length,
        durationSeconds: 60,
        part: 1,
      },
    ],
  });
  return [`${prefix}front.mp4`, `${prefix}manifest.json`];
}

/** An HTTP server for a router, answering errors as the station does; the session token is `name:role`. */
export function serveRouter(router: Router): Server {
  return createServer((req, res) => {
    router
      .handle(req, res, async (token) => {
        const [name, role] = token.split(":");
        return name && isRole(role) ? { name, role } : null;
      })
      .then((handled) => {
        if (!handled) throw new HttpError(404, "not found");
      })
      .catch((err: unknown) => {
        if (res.headersSent) return res.destroy();
        const status = statusOf(err);
        sendJson(res, status ?? 500, { error: status === null ? String(err) : (err as Error).message });
      });
  });
}
