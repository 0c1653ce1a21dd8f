import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { Bus } from "../core/bus.js";
import { type Clock, isoTime, type TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { Logger } from "../daemon/logger.js";
import { sha256File } from "../storage/sha256.js";
import { AmendmentRefusedError, amendManifest } from "./amendment.js";
import type { AuditAppender } from "./audit-log.js";
import { type OffloadConfig, partSizeBytes } from "./config.js";
import { ADOPT_AFTER_MS, adoptUnrecordedEvents } from "./event-adoption.js";
import { type LoadedManifest, loadManifest, MANIFEST_FILE, ManifestError } from "./manifest-file.js";
import { type LocalFile, uploadObject, VerificationError, type VerifyMode } from "./object-upload.js";
import { offloadOrder, toCandidate } from "./offload-queue.js";
import { loadCredentials, type S3Credentials } from "./s3-credentials.js";
import { objectState, readUploadState, writeUploadState } from "./upload-state.js";

export interface OffloadOptions {
  config: OffloadConfig;
  vehicleId: string;
  dataDir: string;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  audit: AuditAppender;
  /** Tests may pass credentials directly; the daemon reads `config.credentialsFile`. */
  credentials?: S3Credentials;
}

/** Wait before the next pass: the probe interval, doubled per consecutive failure, capped. */
export function retryDelayMs(consecutiveFailures: number, baseMs: number, maxMs: number): number {
  if (consecutiveFailures <= 0) return baseMs;
  return Math.min(maxMs, baseMs * 2 ** Math.min(consecutiveFailures - 1, 30));
}

/** A problem with one event (its files, its manifest, its stored copy): the pass goes on with the next. */
class EventProblem extends Error {
  override name = "EventProblem";
  constructor(
    message: string,
    /** Expected to resolve by itself (no alert). */
    readonly transient = false,
  ) {
    super(message);
  }
}

export interface Progress {
  eventId: string;
  file: string;
  bytesDone: number;
  bytesTotal: number;
  rateBytesPerSecond: number;
  etaSeconds: number | null;
}

export interface PassResult {
  reachable: boolean;
  verified: string[];
  failed: { eventId: string; error: string }[];
  /** The pass stopped early because the server went away. */
  interrupted: boolean;
}

/**
 * Offload: when the storage server is reachable (station Wi-Fi), upload finished events — critical first,
 * then oldest — verify every object, and record the result in the manifest (an amendment) and the audit
 * log. Interrupted uploads resume from `.offload.json` without re-sending finished parts. Never deletes.
 */
export class Offload implements Component {
  readonly name = "offload";
  private client: S3Client | undefined;
  private timer: TimerHandle | undefined;
  private running: Promise<PassResult> | undefined;
  private abort = new AbortController();
  private failures = 0;
  private stopped = true;
  private progress: Progress | null = null;
  private passBytes = 0;
  private passStartedMono = 0;
  private lastPass: { at: string; result: PassResult } | null = null;
  private lastError: string | null = null;
  private unsubscribe: (() => void) | undefined;
  /** Kicked while a pass ran: run again right after it. */
  private again = false;
  private misconfiguredAlerted = false;
  private readonly log: Logger;

  constructor(private readonly opts: OffloadOptions) {
    this.log = opts.logger;
  }

  async start(): Promise<void> {
    const { config } = this.opts;
    if (!config.enabled) return;
    if (!config.bucket) throw new Error("evidence.offload.bucket is required when offload is enabled");
    const credentials = this.opts.credentials ?? loadCredentials(config.credentialsFile);
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      credentials,
      maxAttempts: 1,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      requestHandler: { requestTimeout: config.requestTimeoutSeconds * 1000, connectionTimeout: 5000 },
    });
    this.stopped = false;
    this.abort = new AbortController();
    this.unsubscribe = this.opts.bus.on("event-finalized", () => this.kick());
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.running?.catch(() => undefined);
    this.client?.destroy();
    this.client = undefined;
  }

  status(): Record<string, unknown> {
    const { config } = this.opts;
    return {
      enabled: config.enabled,
      endpoint: config.endpoint ?? `s3.${config.region}.amazonaws.com`,
      bucket: config.bucket,
      state: !config.enabled
        ? "disabled"
        : this.progress
          ? "uploading"
          : this.failures > 0
            ? "waiting"
            : "idle",
      progress: this.progress,
      consecutiveFailures: this.failures,
      lastPass: this.lastPass,
      lastError: this.lastError,
    };
  }

  /** Try now (a new event was finalized). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    this.opts.clock.clearTimeout(this.timer);
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      void this.runOnce().then(
        (r) => this.afterPass(r),
        (err) => this.afterPass(null, err),
      );
    }, ms);
  }

  private afterPass(result: PassResult | null, err?: unknown): void {
    if (this.stopped) return;
    const { config } = this.opts;
    const ok = result?.reachable && !result.interrupted && result.failed.length === 0;
    if (err) this.log.error({ err }, "offload pass failed");
    this.failures = ok ? 0 : this.failures + 1;
    // an event finalized during the pass goes next, unless the server is away
    const again = this.again && result?.reachable === true && !result.interrupted;
    this.again = false;
    this.schedule(
      again
        ? 0
        : retryDelayMs(this.failures, config.probeIntervalSeconds * 1000, config.maxBackoffSeconds * 1000),
    );
  }

  /** One pass: probe, then upload every pending event in order. Concurrent calls share the pass. */
  runOnce(): Promise<PassResult> {
    if (!this.running) {
      this.running = this.pass().finally(() => {
        this.running = undefined;
        this.progress = null;
      });
    }
    return this.running;
  }

  private async pass(): Promise<PassResult> {
    const result: PassResult = { reachable: false, verified: [], failed: [], interrupted: false };
    const client = this.client;
    const bucket = this.opts.config.bucket;
    if (!client || !bucket) return result;
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: this.abort.signal });
      result.reachable = true;
    } catch (err) {
      this.lastError = `endpoint not reachable: ${(err as Error).name}: ${(err as Error).message}`;
      this.log.debug({ err: (err as Error).message }, "offload: storage server not reachable");
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if ((status === 403 || status === 404 || status === 400) && !this.misconfiguredAlerted) {
        this.misconfiguredAlerted = true;
        this.opts.bus.emit("alert", {
          code: "offload-misconfigured",
          severity: "warning",
          message: `storage server answered ${status} for bucket ${bucket}: check evidence.offload (bucket, region, credentials)`,
          at: this.opts.clock.now(),
        });
      }
      this.lastPass = { at: isoTime(this.opts.clock.now()), result };
      return result;
    }
    adoptUnrecordedEvents(this.opts.audit, this.opts.dataDir, this.opts.clock.now(), ADOPT_AFTER_MS);
    this.passBytes = 0;
    this.passStartedMono = this.opts.clock.monotonic();
    for (const eventId of this.queue()) {
      if (this.stopped) break;
      try {
        await this.uploadEvent(eventId, client, bucket);
        result.verified.push(eventId);
      } catch (err) {
        const message = (err as Error).message;
        this.lastError = `${eventId}: ${message}`;
        result.failed.push({ eventId, error: message });
        if (err instanceof EventProblem || err instanceof AmendmentRefusedError) {
          this.eventRefused(eventId, message, err instanceof EventProblem && err.transient);
          continue;
        }
        if (err instanceof VerificationError) continue; // alerted; uploaded afresh next pass
        this.log.warn({ eventId, err: message }, "offload interrupted (server or connection); will resume");
        result.interrupted = true;
        break;
      }
    }
    this.lastPass = { at: isoTime(this.opts.clock.now()), result };
    return result;
  }

  /** Pending events, critical first then oldest. */
  queue(): string[] {
    const eventsDir = join(this.opts.dataDir, "events");
    if (!existsSync(eventsDir)) return [];
    const candidates = [];
    for (const name of readdirSync(eventsDir)) {
      const dir = join(eventsDir, name);
      if (!existsSync(join(dir, MANIFEST_FILE))) continue; // still recording or assembling
      try {
        candidates.push(toCandidate(loadManifest(dir).manifest, this.opts.config.criticalCategories));
      } catch (err) {
        if (!(err instanceof ManifestError)) throw err;
        this.log.warn({ eventId: name, err: err.message }, "offload: unreadable manifest, event skipped");
      }
    }
    return offloadOrder(candidates).map((c) => c.eventId);
  }

  private async localFiles(dir: string, loaded: LoadedManifest): Promise<(LocalFile & { name: string })[]> {
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
    files.push({
      name: MANIFEST_FILE,
      path: join(dir, MANIFEST_FILE),
      sha256: loaded.sha256,
      bytes: loaded.bytes.length,
    });
    return files;
  }

  private async uploadEvent(eventId: string, client: S3Client, bucket: string): Promise<void> {
    const { config, audit, clock } = this.opts;
    const dir = join(this.opts.dataDir, "events", eventId);
    let loaded: LoadedManifest;
    try {
      loaded = loadManifest(dir);
    } catch (err) {
      throw new EventProblem((err as Error).message);
    }
    const recorded = audit.latestManifest(eventId);
    if (recorded && recorded.sha256 !== loaded.sha256) {
      throw new EventProblem(
        `manifest does not match its audit record; not uploaded (run camsync verify ${dir})`,
      );
    }
    if (!recorded) {
      // being finalized right now, or waiting to be adopted (event-adoption.ts): a later pass
      throw new EventProblem("manifest not yet recorded in the audit log; next pass", true);
    }
    const files = await this.localFiles(dir, loaded);
    const prefix = `${config.prefix}${this.opts.vehicleId}/${eventId}/`;
    const state = readUploadState(dir);
    const resumed = Object.keys(state.objects).length > 0;
    const total = files.reduce((n, f) => n + f.bytes, 0);
    audit.append("upload-started", { eventId, bucket, prefix, objects: files.length, bytes: total, resumed });
    this.log.info({ eventId, bytes: total, objects: files.length, resumed }, "offload: uploading event");
    const methods: { file: string; key: string; sha256: string; bytes: number; method: VerifyMode }[] = [];
    for (const file of files) {
      const obj = objectState(state, file.name, {
        key: `${prefix}${file.name}`,
        sha256: file.sha256,
        bytes: file.bytes,
        partSize: partSizeBytes(config),
      });
      const already = obj.completed
        ? obj.bytes
        : obj.parts.reduce(
            (n, p) => n + Math.min(obj.partSize, obj.bytes - (p.partNumber - 1) * obj.partSize),
            0,
          );
      this.progress = {
        eventId,
        file: file.name,
        bytesDone: already,
        bytesTotal: file.bytes,
        rateBytesPerSecond: 0,
        etaSeconds: null,
      };
      let method: VerifyMode;
      try {
        method = await uploadObject(
          {
            client,
            bucket,
            verify: config.verify,
            save: () => writeUploadState(dir, state),
            onBytes: (n) => this.onBytes(n),
            abortSignal: this.abort.signal,
          },
          obj,
          file,
        );
      } catch (err) {
        if (err instanceof VerificationError) this.verificationFailed(eventId, obj.key, err);
        throw err;
      }
      obj.verified = { method, at: isoTime(clock.now()) };
      writeUploadState(dir, state);
      methods.push({ file: file.name, key: obj.key, sha256: file.sha256, bytes: file.bytes, method });
      this.log.info(
        { eventId, key: obj.key, bytes: file.bytes, method, rate: this.progress?.rateBytesPerSecond },
        "offload: object verified",
      );
    }
    const method: VerifyMode = methods.every((m) => m.method === "checksum") ? "checksum" : "read-back";
    const verifiedAt = isoTime(clock.now());
    amendManifest(
      audit,
      dir,
      "offload",
      { offload: { state: "verified", bucket, key: prefix, verifiedAt, method } },
      { objects: methods },
    );
    this.log.info({ eventId, bucket, prefix, method }, "offload: event uploaded and verified");
  }

  private readonly refusedAlerted = new Set<string>();

  private eventRefused(eventId: string, message: string, transient: boolean): void {
    const key = `${eventId}\n${message}`;
    if (transient || this.refusedAlerted.has(key)) return;
    this.refusedAlerted.add(key);
    this.log.error({ eventId, err: message }, "offload: event not uploaded");
    this.opts.bus.emit("alert", {
      code: "offload-event-refused",
      severity: "critical",
      message: `${eventId} cannot be uploaded: ${message}`,
      eventId,
      at: this.opts.clock.now(),
    });
  }

  private verificationFailed(eventId: string, key: string, err: VerificationError): void {
    this.opts.audit.append("upload-verify-failed", { eventId, key, error: err.message });
    this.opts.bus.emit("alert", {
      code: "offload-verify-failed",
      severity: "warning",
      message: `uploaded copy of ${key} did not verify; it will be uploaded again (local files kept): ${err.message}`,
      eventId,
      at: this.opts.clock.now(),
    });
  }

  private onBytes(n: number): void {
    this.passBytes += n;
    const p = this.progress;
    if (!p) return;
    p.bytesDone += n;
    const elapsed = (this.opts.clock.monotonic() - this.passStartedMono) / 1000;
    p.rateBytesPerSecond = elapsed > 0 ? Math.round(this.passBytes / elapsed) : 0;
    p.etaSeconds =
      p.rateBytesPerSecond > 0 ? Math.round((p.bytesTotal - p.bytesDone) / p.rateBytesPerSecond) : null;
    this.log.debug({ ...p }, "offload progress");
  }
}

export function createOffload(opts: OffloadOptions): Offload {
  return new Offload(opts);
}
