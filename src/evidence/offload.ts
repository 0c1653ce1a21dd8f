import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { backoffDelay } from "../core/backoff.js";
import { type Clock, isoTime, type TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { EventBus, OffloadBacklog } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import { AmendmentRefusedError } from "./amendment.js";
import type { AuditAppender } from "./audit-log.js";
import type { OffloadConfig } from "./config.js";
import { ADOPT_AFTER_MS, adoptUnrecordedEvents } from "./event-adoption.js";
import {
  EventProblem,
  manifestOnServer,
  type Progress,
  uploadEvent,
  uploadManifest,
} from "./event-upload.js";
import { eventUploaded } from "./event-uploaded.js";
import { loadManifest, MANIFEST_FILE, ManifestError } from "./manifest-file.js";
import { backlogOf, type OffloadCandidate, offloadOrder, toCandidate } from "./offload-queue.js";
import { loadCredentials, type S3Credentials } from "./s3-credentials.js";
import { VerificationError } from "./upload-errors.js";

export interface OffloadOptions {
  config: OffloadConfig;
  vehicleId: string;
  dataDir: string;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  audit: AuditAppender;
  /** Tests may pass credentials directly; the daemon reads `config.credentialsFile`. */
  credentials?: S3Credentials;
}

/** Wait before the next pass: the probe interval, doubled per consecutive failure, capped. */
export function retryDelayMs(consecutiveFailures: number, baseMs: number, maxMs: number): number {
  if (consecutiveFailures <= 0) return baseMs;
  return backoffDelay(consecutiveFailures - 1, { initialMs: baseMs, maxMs });
}

const PROGRESS_LOG_MS = 10_000;

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
  /** The AWS SDK, loaded at start only when offload is enabled (it costs ~20 MB of RSS). */
  private sdk: typeof import("@aws-sdk/client-s3") | undefined;
  private timer: TimerHandle | undefined;
  private running: Promise<PassResult> | undefined;
  private abort = new AbortController();
  private failures = 0;
  private stopped = true;
  private progress: Progress | null = null;
  private passBytes = 0;
  private passStartedMono = 0;
  private lastProgressLog = Number.NEGATIVE_INFINITY;
  private lastPass: { at: string; result: PassResult } | null = null;
  private lastError: string | null = null;
  private unsubscribe: (() => void) | undefined;
  /** Kicked while a pass ran: run again right after it. */
  private again = false;
  private misconfiguredAlerted = false;
  /** The queue as last reported on the bus (`offload-backlog`, R/status). */
  private backlog: OffloadBacklog | null = null;
  private readonly log: Logger;

  constructor(private readonly opts: OffloadOptions) {
    this.log = opts.logger;
  }

  async start(): Promise<void> {
    const { config } = this.opts;
    if (!config.enabled) return;
    if (!config.bucket) throw new Error("evidence.offload.bucket is required when offload is enabled");
    const credentials = this.opts.credentials ?? loadCredentials(config.credentialsFile);
    this.sdk = await import("@aws-sdk/client-s3");
    this.client = new this.sdk.S3Client({
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

  status() {
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
      backlog: this.backlog && {
        events: this.backlog.events,
        oldestStartedAt: this.backlog.oldestStartedAt === null ? null : isoTime(this.backlog.oldestStartedAt),
      },
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
    const { client, sdk } = this;
    const bucket = this.opts.config.bucket;
    if (!client || !sdk || !bucket) return result;
    try {
      await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }), { abortSignal: this.abort.signal });
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
      this.reportBacklog(this.queue()); // events finalized meanwhile wait too
      return result;
    }
    adoptUnrecordedEvents(this.opts.audit, this.opts.dataDir, this.opts.clock.now(), ADOPT_AFTER_MS);
    this.passBytes = 0;
    this.passStartedMono = this.opts.clock.monotonic();
    const pending = this.queue();
    this.reportBacklog(pending);
    for (const { eventId, verified } of [...pending]) {
      if (this.stopped) break;
      try {
        await (verified ? uploadManifest : uploadEvent)(
          {
            client,
            bucket,
            config: this.opts.config,
            dataDir: this.opts.dataDir,
            vehicleId: this.opts.vehicleId,
            audit: this.opts.audit,
            clock: this.opts.clock,
            log: this.log,
            abortSignal: this.abort.signal,
            onProgress: (p) => {
              this.progress = p;
            },
            onBytes: (n) => this.onBytes(n),
            onVerificationFailed: (id, key, e) => this.verificationFailed(id, key, e),
          },
          eventId,
        );
        result.verified.push(eventId);
        this.uploaded(eventId, bucket);
        pending.splice(
          pending.findIndex((c) => c.eventId === eventId),
          1,
        );
        this.reportBacklog(pending);
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
  queue(): OffloadCandidate[] {
    const eventsDir = join(this.opts.dataDir, "events");
    if (!existsSync(eventsDir)) return [];
    const candidates: OffloadCandidate[] = [];
    for (const name of readdirSync(eventsDir)) {
      const dir = join(eventsDir, name);
      if (!existsSync(join(dir, MANIFEST_FILE))) continue; // still recording or assembling
      try {
        const m = loadManifest(dir);
        candidates.push(
          toCandidate(m.manifest, this.opts.config.criticalCategories, manifestOnServer(dir, m.sha256)),
        );
      } catch (err) {
        if (!(err instanceof ManifestError)) throw err;
        this.log.warn({ eventId: name, err: err.message }, "offload: unreadable manifest, event skipped");
      }
    }
    return offloadOrder(candidates);
  }

  /** The event's manifest is on the server, verified: tell the station (R/upload, through the bus). */
  private uploaded(eventId: string, bucket: string): void {
    const { dataDir, config } = this.opts;
    const at = this.opts.clock.now();
    const e = eventUploaded({ dataDir, eventId, bucket, prefix: config.prefix, at });
    if (e) this.opts.bus.emit("event-uploaded", e);
  }

  private reportBacklog(queue: readonly OffloadCandidate[]): void {
    const b = backlogOf(queue);
    if (this.backlog?.events === b.events && this.backlog.oldestStartedAt === b.oldestStartedAt) return;
    this.backlog = b;
    this.opts.bus.emit("offload-backlog", b);
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
    const mono = this.opts.clock.monotonic();
    const elapsed = (mono - this.passStartedMono) / 1000;
    p.rateBytesPerSecond = elapsed > 0 ? Math.round(this.passBytes / elapsed) : 0;
    p.etaSeconds =
      p.rateBytesPerSecond > 0 ? Math.round((p.bytesTotal - p.bytesDone) / p.rateBytesPerSecond) : null;
    if (mono - this.lastProgressLog >= PROGRESS_LOG_MS) {
      this.lastProgressLog = mono;
      this.log.info({ ...p }, "offload progress");
    }
  }
}

export function createOffload(opts: OffloadOptions): Offload {
  return new Offload(opts);
}
