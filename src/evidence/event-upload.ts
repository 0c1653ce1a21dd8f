import { existsSync } from "node:fs";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { type Clock, isoTime } from "../core/clock.js";
import type { Logger } from "../daemon/logger.js";
import { sha256File } from "../storage/sha256.js";
import { amendManifest } from "./amendment.js";
import { writeAuditExcerpt } from "./audit-excerpt-file.js";
import type { AuditAppender } from "./audit-log.js";
import { type OffloadConfig, partSizeBytes } from "./config.js";
import { type LoadedManifest, loadManifest, MANIFEST_FILE } from "./manifest-file.js";
import type { LocalFile, VerifyMode } from "./object-upload.js";
import { VerificationError } from "./upload-errors.js";
import { objectState, readUploadState, type UploadState, writeUploadState } from "./upload-state.js";

/**
 * Uploading one finished event: its files are hashed again, its manifest must match the audit log,
 * every object is uploaded (resuming from `.offload.json`) and verified, then the manifest is amended
 * with the result. Used by the offload component for each event of its queue.
 */
export interface EventUploadContext {
  client: S3Client;
  bucket: string;
  config: OffloadConfig;
  dataDir: string;
  vehicleId: string;
  audit: AuditAppender;
  clock: Clock;
  log: Logger;
  abortSignal: AbortSignal;
  /** The event's progress object (updated in place as bytes go out). */
  onProgress(p: Progress): void;
  onBytes(n: number): void;
  onVerificationFailed(eventId: string, key: string, err: VerificationError): void;
}

/** A problem with one event (its files, its manifest, its stored copy): the pass goes on with the next. */
export class EventProblem extends Error {
  override name = "EventProblem";
  constructor(
    message: string,
    /** Expected to resolve by itself (no alert). */
    readonly transient = false,
  ) {
    super(message);
  }
}

/** Progress of the event being uploaded (bytes over all its objects; a resumed upload starts part-way). */
export interface Progress {
  eventId: string;
  /** The object being sent or verified. */
  file: string;
  bytesDone: number;
  bytesTotal: number;
  rateBytesPerSecond: number;
  etaSeconds: number | null;
}

/** Bytes of an event already on the server according to its upload state. */
function sentBefore(state: UploadState, files: readonly { name: string; bytes: number }[]): number {
  let sent = 0;
  for (const f of files) {
    const o = state.objects[f.name];
    if (!o) continue;
    if (o.completed || o.verified) sent += o.bytes;
    else for (const p of o.parts) sent += Math.min(o.partSize, o.bytes - (p.partNumber - 1) * o.partSize);
  }
  return sent;
}

/** The event's video files, hashed again: a file that changed since the manifest is never uploaded. */
async function localFiles(dir: string, loaded: LoadedManifest): Promise<(LocalFile & { name: string })[]> {
  const files: (LocalFile & { name: string })[] = [];
  for (const camera of loaded.manifest.cameras) {
    for (const f of camera.files) {
      if (f.file.includes("/") || f.file.includes("\\") || f.file.startsWith(".")) {
        throw new EventProblem(`manifest lists '${f.file}', which is not a file of the event directory`);
      }
      const path = join(dir, f.file);
      const actual = existsSync(path) ? await sha256File(path) : null;
      if (!actual || actual.sha256 !== f.sha256 || actual.bytes !== f.bytes) {
        throw new EventProblem(`${path} does not match its manifest; not uploaded (run camsync verify)`);
      }
      files.push({ name: f.file, path, sha256: f.sha256, bytes: f.bytes });
    }
  }
  return files;
}

/** The manifest, refused unless it is exactly what the audit log last recorded for the event. */
function recordedManifest(ctx: EventUploadContext, eventId: string, dir: string): LoadedManifest {
  let loaded: LoadedManifest;
  try {
    loaded = loadManifest(dir);
  } catch (err) {
    throw new EventProblem((err as Error).message);
  }
  const recorded = ctx.audit.latestManifest(eventId);
  if (!recorded) {
    // being finalized right now, or waiting to be adopted (event-adoption.ts): a later pass
    throw new EventProblem("manifest not yet recorded in the audit log; next pass", true);
  }
  if (recorded.sha256 !== loaded.sha256) {
    throw new EventProblem(
      `manifest does not match its audit record; not uploaded (run camsync verify ${dir})`,
    );
  }
  return loaded;
}

const prefixOf = (ctx: EventUploadContext, eventId: string) =>
  `${ctx.config.prefix}${ctx.vehicleId}/${eventId}/`;

interface ObjectResult {
  file: string;
  key: string;
  sha256: string;
  bytes: number;
  method: VerifyMode;
}

/** Upload (or resume) and verify one object of the event, recording it in the upload state. */
async function putObject(
  ctx: EventUploadContext,
  eventId: string,
  dir: string,
  state: UploadState,
  file: LocalFile & { name: string },
): Promise<ObjectResult> {
  const obj = objectState(state, file.name, {
    key: `${prefixOf(ctx, eventId)}${file.name}`,
    sha256: file.sha256,
    bytes: file.bytes,
    partSize: partSizeBytes(ctx.config),
  });
  let method: VerifyMode;
  try {
    const { uploadObject } = await import("./object-upload.js");
    method = await uploadObject(
      {
        client: ctx.client,
        bucket: ctx.bucket,
        verify: ctx.config.verify,
        save: () => writeUploadState(dir, state),
        onBytes: (n) => ctx.onBytes(n),
        abortSignal: ctx.abortSignal,
      },
      obj,
      file,
    );
  } catch (err) {
    if (err instanceof VerificationError) ctx.onVerificationFailed(eventId, obj.key, err);
    throw err;
  }
  obj.verified = { method, at: isoTime(ctx.clock.now()) };
  writeUploadState(dir, state);
  ctx.log.info({ eventId, key: obj.key, bytes: file.bytes, method }, "offload: object verified");
  return { file: file.name, key: obj.key, sha256: file.sha256, bytes: file.bytes, method };
}

/** Whether the storage server holds (verified) exactly this manifest of the event. */
export function manifestOnServer(eventDir: string, manifestSha256: string): boolean {
  const o = readUploadState(eventDir).objects[MANIFEST_FILE];
  return o?.verified != null && o.sha256 === manifestSha256;
}

/**
 * Upload the event's current manifest (after the offload amendment, and again after any later
 * amendment such as a tag), verified like any object; recorded as `manifest-uploaded`.
 */
export async function uploadManifest(ctx: EventUploadContext, eventId: string): Promise<void> {
  const dir = join(ctx.dataDir, "events", eventId);
  const loaded = recordedManifest(ctx, eventId, dir);
  if (manifestOnServer(dir, loaded.sha256)) return;
  const state = readUploadState(dir);
  // the audit lines that prove this manifest go first, so the station never sees the manifest without them
  const excerpt = writeAuditExcerpt(ctx.dataDir, dir, eventId);
  if (excerpt) await putObject(ctx, eventId, dir, state, excerpt);
  const r = await putObject(ctx, eventId, dir, state, {
    name: MANIFEST_FILE,
    path: join(dir, MANIFEST_FILE),
    sha256: loaded.sha256,
    bytes: loaded.bytes.length,
  });
  ctx.audit.append("manifest-uploaded", { eventId, key: r.key, manifestSha256: r.sha256, method: r.method });
}

/**
 * Upload a finished event: every video file (resuming), verified; then the manifest is amended with
 * the result (`offload: verified`), and that manifest is uploaded last. Until the manifest is on the
 * server, retention keeps the event.
 */
export async function uploadEvent(ctx: EventUploadContext, eventId: string): Promise<void> {
  const { audit, clock, bucket, log } = ctx;
  const dir = join(ctx.dataDir, "events", eventId);
  const loaded = recordedManifest(ctx, eventId, dir);
  const files = await localFiles(dir, loaded);
  const prefix = prefixOf(ctx, eventId);
  const state = readUploadState(dir);
  const resumed = Object.keys(state.objects).length > 0;
  const total = files.reduce((n, f) => n + f.bytes, 0);
  audit.append("upload-started", { eventId, bucket, prefix, objects: files.length, bytes: total, resumed });
  log.info({ eventId, bytes: total, objects: files.length, resumed }, "offload: uploading event");
  const progress: Progress = {
    eventId,
    file: files[0]?.name ?? MANIFEST_FILE,
    bytesDone: sentBefore(state, files),
    bytesTotal: total,
    rateBytesPerSecond: 0,
    etaSeconds: null,
  };
  ctx.onProgress(progress);
  const results: ObjectResult[] = [];
  for (const file of files) {
    progress.file = file.name;
    results.push(await putObject(ctx, eventId, dir, state, file));
  }
  const method: VerifyMode = results.every((m) => m.method === "checksum") ? "checksum" : "read-back";
  const verifiedAt = isoTime(clock.now());
  amendManifest(
    audit,
    dir,
    "offload",
    { offload: { state: "verified", bucket, key: prefix, verifiedAt, method } },
    { objects: results },
  );
  progress.file = MANIFEST_FILE;
  await uploadManifest(ctx, eventId);
  log.info({ eventId, bucket, prefix, method }, "offload: event uploaded and verified");
}
