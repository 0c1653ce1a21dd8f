import { hostname } from "node:os";
import { AUDIT_EXCERPT_FILE, checkAuditExcerpt } from "../evidence/audit-excerpt.js";
import { sha256Hex } from "../storage/sha256.js";
import { ClipsRepository } from "./clips-repository.js";
import type { Db, Queryable } from "./db.js";
import { EventsRepository } from "./events-repository.js";
import { chooseTimeLink } from "./incident-link.js";
import { IncidentsRepository } from "./incidents-repository.js";
import { type IngestJob, IngestRepository, MAX_ATTEMPTS } from "./ingest-repository.js";
import {
  type CheckedClip,
  type CheckedEvent,
  checkClipManifest,
  checkEventManifest,
  type ParsedKey,
  parseKeyPrefix,
  Quarantine,
} from "./manifest-checks.js";
import { readSmallObject, TooLargeError, verifyObjects } from "./object-hash.js";
import type { ObjectStore } from "./object-store.js";
import { QuarantineRepository, type SubjectKind } from "./quarantine-repository.js";
import type { Logger } from "./station-logger.js";

/**
 * Ingest: the bucket is listed incrementally (a cursor in the database, so a restart continues the
 * pass) and every prefix holding a `manifest.json` becomes a job; workers in any number of processes
 * claim jobs (`FOR UPDATE SKIP LOCKED`, leased), re-hash every object against the manifest and index
 * the event or clip — or quarantine it with the reason and an alert. Idempotent: a manifest already
 * indexed with the same SHA-256 is not hashed again; an amended manifest (new ETag) is.
 */
export const MANIFEST = "manifest.json";
const CURSOR = "bucket";
const MAX_AUDIT_EXCERPT = 16 * 1024 * 1024;

export interface IngestOptions {
  db: Db;
  store: ObjectStore;
  /** Bucket name as the cars write it into `offload.bucket` (checked when present). */
  bucket: string;
  prefix: string;
  log: Logger;
  workerId?: string;
  leaseSeconds: number;
  maxManifestBytes: number;
  /** Jobs verified at once by this process. */
  concurrency: number;
  /** Objects hashed at once within one job. */
  objectParallelism?: number;
  listPageSize?: number;
}

export type JobOutcome = "indexed" | "unchanged" | "quarantined" | "failed" | "lost";

export class Ingest {
  readonly workerId: string;
  private readonly jobs: IngestRepository;
  private readonly quarantine: QuarantineRepository;
  /** Bytes hashed since start (benchmarks, status). */
  bytesHashed = 0;

  constructor(private readonly opts: IngestOptions) {
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
    this.jobs = new IngestRepository(opts.db);
    this.quarantine = new QuarantineRepository(opts.db);
  }

  /** Continue (or start) a listing pass to its end; returns the manifests seen and the jobs made pending. */
  async scan(signal?: AbortSignal): Promise<{ manifests: number; queued: number }> {
    let { startAfter } = await this.jobs.cursor(CURSOR);
    let manifests = 0;
    let queued = 0;
    for (;;) {
      if (signal?.aborted) break;
      const page = await this.opts.store.list(this.opts.prefix, startAfter, this.opts.listPageSize ?? 1000);
      for (const o of page.objects) {
        if (!o.key.endsWith(`/${MANIFEST}`)) continue;
        manifests += 1;
        const keyPrefix = o.key.slice(0, -MANIFEST.length);
        if (await this.jobs.enqueue(keyPrefix, kindOf(this.opts.prefix, keyPrefix), o.etag)) queued += 1;
      }
      startAfter = page.next ?? "";
      await this.jobs.setCursor(CURSOR, startAfter, page.next === null);
      if (page.next === null) break;
    }
    return { manifests, queued };
  }

  /** A listing pass requested by an operator: failed jobs are tried again too. */
  async scanNow(): Promise<{ manifests: number; queued: number }> {
    const retried = await this.jobs.retryFailed();
    const r = await this.scan();
    return { ...r, queued: r.queued + retried };
  }

  /** React to an upload announcement: list that prefix now and queue its manifest. */
  async announce(keyPrefix: string): Promise<boolean> {
    const full = `${this.opts.prefix}${keyPrefix}`;
    const page = await this.opts.store.list(full, "", 1000);
    const manifest = page.objects.find((o) => o.key === `${full}${MANIFEST}`);
    if (!manifest) return false;
    return this.jobs.enqueue(full, kindOf(this.opts.prefix, full), manifest.etag);
  }

  /** Claim and process jobs until none is ready; returns the outcomes. */
  async drain(signal?: AbortSignal): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    for (;;) {
      if (signal?.aborted) return outcomes;
      const claimed = await this.jobs.claim(this.workerId, this.opts.concurrency, this.opts.leaseSeconds);
      if (claimed.length === 0) return outcomes;
      outcomes.push(...(await Promise.all(claimed.map((j) => this.process(j)))));
    }
  }

  /** One claimed job, start to finish (the lease is renewed while it runs). */
  async process(job: IngestJob): Promise<JobOutcome> {
    const { log } = this.opts;
    const renew = setInterval(
      () => {
        this.jobs.renew(this.workerId, job.keyPrefix, this.opts.leaseSeconds).catch(() => {});
      },
      Math.max(1000, (this.opts.leaseSeconds * 1000) / 3),
    );
    try {
      let key: ParsedKey | undefined;
      log.debug({ key: job.keyPrefix, attempt: job.attempts }, "ingest: job claimed");
      try {
        key = parseKeyPrefix(this.opts.prefix, job.keyPrefix);
        const outcome =
          key.kind === "event" ? await this.ingestEvent(job, key) : await this.ingestClip(job, key);
        if (!(await this.jobs.finish(this.workerId, job.keyPrefix, "done"))) return "lost";
        return outcome;
      } catch (err) {
        if (err instanceof Quarantine) {
          await this.quarantineJob(job, key, err);
          return (await this.jobs.finish(this.workerId, job.keyPrefix, "quarantined", err.message))
            ? "quarantined"
            : "lost";
        }
        const message = err instanceof Error ? err.message : String(err);
        log.warn(
          { key: job.keyPrefix, attempt: job.attempts, err: message },
          "ingest: job failed; will retry",
        );
        const retry = Math.min(3600, 15 * 2 ** Math.min(job.attempts, 8));
        await this.jobs.finish(this.workerId, job.keyPrefix, "failed", message, retry);
        if (job.attempts >= MAX_ATTEMPTS)
          await this.quarantine.alert(
            "ingest-failing",
            "warning",
            `${job.keyPrefix} could not be ingested after ${job.attempts} attempts (${message}); it is retried when its manifest changes or on POST /api/ingest/scan after the cause is fixed`,
            job.keyPrefix,
          );
        return "failed";
      }
    } finally {
      clearInterval(renew);
    }
  }

  private async quarantineJob(job: IngestJob, key: ParsedKey | undefined, q: Quarantine): Promise<void> {
    const kind: SubjectKind = job.kind;
    const fresh = await this.quarantine.record({
      kind,
      keyPrefix: job.keyPrefix,
      vehicleId: key?.kind === "event" ? key.vehicleId : null,
      subjectId: key ? (key.kind === "event" ? key.eventId : key.clipId) : null,
      reason: q.reason,
      detail: q.message,
      manifestSha256: q.manifestSha256 ?? "",
    });
    if (fresh) {
      await this.quarantine.alert(
        "ingest-quarantined",
        "critical",
        `${job.keyPrefix} quarantined (${q.reason}): ${q.message}`,
        job.keyPrefix,
      );
    }
    this.opts.log.error({ key: job.keyPrefix, reason: q.reason, detail: q.message }, "ingest: quarantined");
  }

  private async manifestBytes(keyPrefix: string): Promise<Buffer> {
    let bytes: Buffer | null;
    try {
      bytes = await readSmallObject(this.opts.store, `${keyPrefix}${MANIFEST}`, this.opts.maxManifestBytes);
    } catch (err) {
      if (err instanceof TooLargeError) throw new Quarantine("manifest-too-large", err.message);
      throw err;
    }
    if (!bytes) throw new Error(`${keyPrefix}${MANIFEST} vanished since it was listed`);
    return bytes;
  }

  private async ingestEvent(
    job: IngestJob,
    key: { vehicleId: string; eventId: string },
  ): Promise<JobOutcome> {
    const bytes = await this.manifestBytes(job.keyPrefix);
    let checked: CheckedEvent;
    try {
      checked = checkEventManifest(
        bytes,
        { ...key, keyPrefix: job.keyPrefix, bucket: this.opts.bucket },
        this.opts.maxManifestBytes,
      );
    } catch (err) {
      if (err instanceof Quarantine) err.manifestSha256 = sha256Of(bytes);
      throw err;
    }
    const events = new EventsRepository(this.opts.db);
    if ((await events.indexedManifest(checked.eventId)) === checked.manifestSha256) return "unchanged";
    const audit = await this.auditState(job.keyPrefix, checked);
    await this.hash(
      checked.manifestSha256,
      checked.files.map((f) => ({ key: `${job.keyPrefix}${f.file}`, sha256: f.sha256, bytes: f.bytes })),
    );
    await this.opts.db.transaction(async (tx) => {
      await new EventsRepository(tx).upsert({
        ...checked,
        keyPrefix: job.keyPrefix,
        manifest: indexedCopy(checked.json),
        auditState: audit,
        bytes: checked.files.reduce((n, f) => n + f.bytes, 0),
        files: checked.files.map((f) => ({ ...f, objectKey: `${job.keyPrefix}${f.file}` })),
      });
      await linkClipsToEvent(tx, checked);
    });
    this.opts.log.info(
      { key: job.keyPrefix, eventId: checked.eventId, files: checked.files.length, audit },
      "ingest: event indexed",
    );
    return "indexed";
  }

  /** `verified` when the car uploaded an audit excerpt that holds; quarantined when one does not hold. */
  private async auditState(keyPrefix: string, checked: CheckedEvent): Promise<"verified" | "not-uploaded"> {
    let excerpt: Buffer | null;
    try {
      excerpt = await readSmallObject(
        this.opts.store,
        `${keyPrefix}${AUDIT_EXCERPT_FILE}`,
        MAX_AUDIT_EXCERPT,
      );
    } catch (err) {
      if (err instanceof TooLargeError) throw withSha(new Quarantine("audit-chain", err.message), checked);
      throw err;
    }
    if (!excerpt) return "not-uploaded";
    const r = checkAuditExcerpt(excerpt, checked.eventId, checked.manifestSha256);
    if (!r.ok)
      throw withSha(new Quarantine("audit-chain", `audit chain does not verify: ${r.problem}`), checked);
    return "verified";
  }

  private async hash(manifestSha256: string, objects: { key: string; sha256: string; bytes: number }[]) {
    try {
      await verifyObjects(this.opts.store, objects, this.opts.objectParallelism ?? 4, (n) => {
        this.bytesHashed += n;
      });
    } catch (err) {
      if (err instanceof Quarantine) err.manifestSha256 = manifestSha256;
      throw err;
    }
  }

  private async ingestClip(job: IngestJob, key: { camId: string; clipId: string }): Promise<JobOutcome> {
    const bytes = await this.manifestBytes(job.keyPrefix);
    let checked: CheckedClip;
    try {
      checked = checkClipManifest(bytes, key, this.opts.maxManifestBytes);
    } catch (err) {
      if (err instanceof Quarantine) err.manifestSha256 = sha256Of(bytes);
      throw err;
    }
    const clips = new ClipsRepository(this.opts.db);
    const existing = await clips.get(key.clipId);
    if (existing && existing.keyPrefix !== job.keyPrefix)
      throw withSha(
        new Quarantine(
          "identity-mismatch",
          `clip id ${key.clipId} is already indexed from ${existing.keyPrefix}`,
        ),
        checked,
      );
    if (existing?.manifestSha256 === checked.manifestSha256) return "unchanged";
    const m = checked.manifest;
    await this.hash(
      checked.manifestSha256,
      m.files.map((f) => ({ key: `${job.keyPrefix}${f.file}`, sha256: f.sha256, bytes: f.bytes })),
    );
    await this.opts.db.transaction(async (tx) => {
      await new ClipsRepository(tx).upsert({
        clipId: m.clipId,
        camId: m.camId,
        officer: m.officer ?? null,
        vehicleId: m.vehicleId ?? null,
        eventId: m.eventId ?? null,
        startedAt: new Date(m.startedAt).toISOString(),
        endedAt: new Date(m.endedAt).toISOString(),
        clockOffsetMs: m.clockOffsetMs,
        alignedStart: checked.alignedStart,
        alignedEnd: checked.alignedEnd,
        keyPrefix: job.keyPrefix,
        manifestSha256: checked.manifestSha256,
        manifest: checked.json,
        bytes: m.files.reduce((n, f) => n + f.bytes, 0),
        files: m.files.map((f) => ({ ...f, objectKey: `${job.keyPrefix}${f.file}` })),
      });
      await linkClip(tx, checked);
    });
    this.opts.log.info(
      { key: job.keyPrefix, clipId: m.clipId, eventId: m.eventId ?? null },
      "ingest: body-cam clip indexed",
    );
    return "indexed";
  }
}

function kindOf(prefix: string, keyPrefix: string): SubjectKind {
  return keyPrefix.slice(prefix.length).startsWith("bodycams/") ? "bodycam-clip" : "event";
}

const sha256Of = (bytes: Buffer) => sha256Hex(bytes);

function withSha(q: Quarantine, c: { manifestSha256: string }): Quarantine {
  q.manifestSha256 = c.manifestSha256;
  return q;
}

/**
 * What the index keeps of a car manifest: everything but the per-segment hash lists (hundreds of
 * entries per camera; they stay in the bucket's manifest, which is the evidence).
 */
export function indexedCopy(json: Record<string, unknown>): Record<string, unknown> {
  const cameras = Array.isArray(json.cameras)
    ? json.cameras.map((c: unknown) => {
        if (typeof c !== "object" || c === null) return c;
        const { segments: _s, ...rest } = c as Record<string, unknown>;
        return rest;
      })
    : json.cameras;
  return { ...json, cameras };
}

/** A clip with the car's event id joins that incident; one without joins by cam/officer and time. */
async function linkClip(tx: Queryable, c: CheckedClip): Promise<void> {
  const incidents = new IncidentsRepository(tx);
  const m = c.manifest;
  if (m.eventId) {
    await incidents.dropTimeLinks(m.clipId);
    await incidents.link(m.eventId, m.clipId, "event-id");
    return;
  }
  const candidates = await new EventsRepository(tx).overlapping(
    m.camId,
    m.officer ?? null,
    c.alignedStart,
    c.alignedEnd,
  );
  const chosen = chooseTimeLink({ start: c.alignedStart, end: c.alignedEnd }, candidates);
  if (chosen) await incidents.link(chosen, m.clipId, "time");
}

/** A newly indexed event takes in the clips without an event id that overlap it (unless a better event holds them). */
async function linkClipsToEvent(tx: Queryable, e: CheckedEvent): Promise<void> {
  const start = new Date(Date.parse(e.startedAt) - e.preEventSeconds * 1000 - e.clockOffsetMs).toISOString();
  const end = new Date(Date.parse(e.endedAt ?? e.startedAt) - e.clockOffsetMs).toISOString();
  const clips = await new ClipsRepository(tx).timeCandidates(e.bodycamIds, e.officer, start, end);
  const events = new EventsRepository(tx);
  const incidents = new IncidentsRepository(tx);
  for (const clip of clips) {
    const candidates = await events.overlapping(clip.camId, clip.officer, clip.alignedStart, clip.alignedEnd);
    const chosen = chooseTimeLink({ start: clip.alignedStart, end: clip.alignedEnd }, candidates);
    if (chosen === e.eventId) await incidents.link(e.eventId, clip.clipId, "time");
  }
}
