import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type Clock, isoTime, type TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import { isManualOrigin } from "../core/trigger.js";
import { AlertFloodGuard, type SuppressedAlerts } from "./alert-flood.js";
import {
  checkChain,
  formatEntry,
  GENESIS_PREV,
  isManifestRecord,
  lineHash,
  splitLines,
  TORN_LINE_TYPE,
} from "./audit-entry.js";
import { type AuditLock, acquireAuditLock } from "./audit-lock.js";
import { fieldHashes, loadManifest } from "./manifest-file.js";

export const AUDIT_FILE = "audit.jsonl";

/** Alert flood guard: at most this many alerts of one code are written per window (the rest summarized). */
const ALERTS_PER_WINDOW = 20;
const ALERT_WINDOW_MS = 60_000;

export interface AuditRecord {
  seq: number;
  at: string;
  type: string;
  /** SHA-256 of the line written (what the next entry's prev will be). */
  hash: string;
}

/** What amendments and operator actions need from the audit log. */
export interface AuditAppender {
  append(type: string, data: Record<string, unknown>): AuditRecord;
  /** The manifest SHA-256 most recently recorded for an event (finalization or amendment). */
  latestManifest(eventId: string): { sha256: string; fields: Record<string, string> } | undefined;
}

export interface AuditLogOptions {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  /** When given, decisions, alerts, confirmations and finalized events are recorded from the bus. */
  bus?: EventBus;
  /** Recorded as a `config-loaded` entry on start (the daemon passes the config's SHA-256, version, file). */
  configLoaded?: { sha256: string; version: string; file?: string };
}

/**
 * The hash-chained audit log `{dataDir}/audit.jsonl`. One writer (held by `audit.lock`); every entry is
 * written with one write + fsync, so a power cut loses at most the entry being written. A torn last line
 * found on open is kept as it is, terminated, reported (log + `audit-torn-line` alert) and recorded by
 * the next entry, which chains to the last intact entry.
 */
export class AuditLog implements Component, AuditAppender {
  readonly name = "audit";
  private readonly path: string;
  private fd: number | undefined;
  private lock: AuditLock | undefined;
  private seq = 0;
  private prev = GENESIS_PREV;
  private needsRecovery = false;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly manifests = new Map<string, { sha256: string; fields: Record<string, string> }>();
  private written = 0;
  private tears = 0;
  private lastError: string | null = null;
  private readonly flood = new AlertFloodGuard(ALERTS_PER_WINDOW, ALERT_WINDOW_MS);
  private floodTimer: TimerHandle | undefined;

  constructor(private readonly opts: AuditLogOptions) {
    this.path = join(opts.dataDir, AUDIT_FILE);
  }

  /** Take the lock and open the log (recovering a torn tail). Synchronous so the CLI can use it too. */
  open(): void {
    if (this.fd !== undefined) return;
    mkdirSync(this.opts.dataDir, { recursive: true });
    this.lock = acquireAuditLock(this.opts.dataDir);
    try {
      this.fd = openSync(this.path, "a", 0o640);
      this.recover();
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.lock?.release();
    this.lock = undefined;
  }

  async start(): Promise<void> {
    this.open();
    if (this.opts.configLoaded) this.append("config-loaded", { ...this.opts.configLoaded });
    const bus = this.opts.bus;
    if (!bus) return;
    this.floodTimer = this.opts.clock.setInterval(
      () => this.writeSuppressed(this.flood.flush(this.opts.clock.now())),
      ALERT_WINDOW_MS,
    );
    this.unsubscribe.push(
      bus.on("decision", (d) => {
        // Every start/join/mark/stop/refusal/end is recorded; "ignored" only when a person asked.
        if (d.type === "ignored" && !isManualOrigin(d.origin)) return;
        const { type, seq, at, ...rest } = d;
        this.safeAppend("decision", { decision: type, decisionSeq: seq, decidedAt: isoTime(at), ...rest });
      }),
      bus.on("alert", (a) => {
        const { write, summaries } = this.flood.admit(a.code, this.opts.clock.now());
        this.writeSuppressed(summaries);
        const { at, ...rest } = a;
        if (write) this.safeAppend("alert", { ...rest, raisedAt: isoTime(at) });
      }),
      bus.on("bodycam-confirmation", (c) =>
        this.safeAppend("bodycam-confirmation", {
          eventId: c.eventId,
          bodycamId: c.bodycamId,
          commandedAt: isoTime(c.commandedAt),
          confirmedAt: c.confirmedAt === null ? null : isoTime(c.confirmedAt),
          latencyMs: c.latencyMs,
        }),
      ),
      bus.on("event-finalized", (e) => this.recordFinalized(e.eventId, e.dir, e.manifestSha256)),
    );
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.opts.clock.clearInterval(this.floodTimer);
    this.floodTimer = undefined;
    if (this.fd !== undefined) this.writeSuppressed(this.flood.flush(this.opts.clock.now(), true));
    // the daemon's orderly stop (a power cut or crash leaves no such entry: the gap shows)
    if (this.opts.configLoaded && this.fd !== undefined) this.safeAppend("daemon-stopped", {});
    this.close();
  }

  status() {
    return {
      path: this.path,
      seq: this.seq,
      written: this.written,
      tornLinesFound: this.tears,
      lastError: this.lastError,
    };
  }

  latestManifest(eventId: string): { sha256: string; fields: Record<string, string> } | undefined {
    return this.manifests.get(eventId);
  }

  /** Append one entry and fsync it. Throws when the disk refuses (the caller decides what that means). */
  append(type: string, data: Record<string, unknown>): AuditRecord {
    if (this.fd === undefined) throw new Error("audit log is not open");
    if (this.needsRecovery) this.recover();
    const seq = this.seq + 1;
    const at = isoTime(this.opts.clock.now());
    const line = formatEntry(seq, at, type, data, this.prev);
    try {
      const bytes = Buffer.from(`${line}\n`);
      // A full disk may take only part of the line (a short write, no error): that is a failure too.
      if (writeSync(this.fd, bytes) < bytes.length)
        throw Object.assign(new Error("ENOSPC: no space left on device, audit entry cut short"), {
          code: "ENOSPC",
        });
      fsyncSync(this.fd);
    } catch (err) {
      this.needsRecovery = true; // a partial write may have left a fragment: re-check before the next entry
      this.lastError = (err as Error).message;
      throw err;
    }
    const hash = lineHash(line);
    this.seq = seq;
    this.prev = hash;
    this.written += 1;
    this.index(type, data);
    return { seq, at, type, hash };
  }

  /** Record a finished event: its manifest hash and field hashes (what verify checks the manifest against). */
  recordFinalized(eventId: string, dir: string, announcedSha256: string): void {
    let data: Record<string, unknown>;
    try {
      const m = loadManifest(dir);
      data = { eventId, manifestSha256: m.sha256, fields: fieldHashes(m.json) };
      if (m.sha256 !== announcedSha256) {
        data.announcedSha256 = announcedSha256;
        this.opts.bus?.emit("alert", {
          code: "manifest-mismatch",
          severity: "critical",
          message: `manifest of ${eventId} changed between finalization and the audit record`,
          eventId,
          at: this.opts.clock.now(),
        });
      }
    } catch (err) {
      data = { eventId, manifestSha256: announcedSha256, error: (err as Error).message };
    }
    this.safeAppend("event-finalized", data);
  }

  private writeSuppressed(summaries: SuppressedAlerts[]): void {
    for (const x of summaries) {
      this.safeAppend("alerts-suppressed", {
        code: x.code,
        count: x.count,
        from: isoTime(x.from),
        to: isoTime(x.to),
        reason: `more than ${ALERTS_PER_WINDOW} '${x.code}' alerts within ${ALERT_WINDOW_MS / 1000} s`,
      });
    }
  }

  private safeAppend(type: string, data: Record<string, unknown>): void {
    try {
      this.append(type, data);
    } catch (err) {
      this.opts.logger.error({ err, type }, "audit entry could not be written");
    }
  }

  private index(type: string, data: Record<string, unknown>): void {
    if (!isManifestRecord(type)) return;
    const { eventId, manifestSha256, fields } = data;
    if (
      typeof eventId === "string" &&
      typeof manifestSha256 === "string" &&
      typeof fields === "object" &&
      fields
    ) {
      this.manifests.set(eventId, { sha256: manifestSha256, fields: fields as Record<string, string> });
    }
  }

  /** Rebuild seq/prev/manifest index from the file; terminate and record a torn tail. */
  private recover(): void {
    if (this.fd === undefined) return;
    this.needsRecovery = false;
    const data = existsSync(this.path) ? readFileSync(this.path) : Buffer.alloc(0);
    const chain = checkChain(data);
    this.seq = chain.last?.seq ?? 0;
    this.prev = chain.last?.hash ?? GENESIS_PREV;
    this.manifests.clear();
    for (const { entry } of chain.entries) this.index(entry.type, entry);
    for (const f of chain.findings) {
      if (f.kind !== "torn")
        this.opts.logger.warn({ finding: f.detail }, "audit log chain problem found on open");
    }
    const lines = splitLines(data);
    const tail = lines[lines.length - 1];
    const torn = chain.findings.find((f) => f.kind === "torn" && !f.acknowledged && f.line === tail?.number);
    if (!tail || !torn) return;
    if (!tail.terminated) {
      try {
        if (writeSync(this.fd, "\n") < 1) throw new Error("ENOSPC: no space left on device");
        fsyncSync(this.fd);
      } catch (err) {
        this.needsRecovery = true; // the fragment is still unterminated: try again before the next entry
        throw err;
      }
    }
    this.tears += 1;
    this.opts.logger.error(
      { line: tail.number, bytes: tail.bytes.length },
      "audit log: torn last line (interrupted write) found; kept, recorded and the chain continues after it",
    );
    this.append(TORN_LINE_TYPE, {
      tornLine: tail.number,
      tornBytes: tail.bytes.length,
      tornSha256: lineHash(tail.bytes),
    });
    this.opts.bus?.emit("alert", {
      code: "audit-torn-line",
      severity: "warning",
      message: `audit log line ${tail.number} was cut short by an interrupted write (${tail.bytes.length} bytes); it is kept and recorded`,
      at: this.opts.clock.now(),
    });
  }
}

export function createAuditLog(opts: AuditLogOptions): AuditLog {
  return new AuditLog(opts);
}
