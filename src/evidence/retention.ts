import { existsSync, readdirSync, rmSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { AuditAppender } from "./audit-log.js";
import type { RetentionConfig } from "./config.js";
import { ADOPT_AFTER_MS, adoptUnrecordedEvents } from "./event-adoption.js";
import { manifestOnServer } from "./event-upload.js";
import { loadManifest, MANIFEST_FILE } from "./manifest-file.js";
import { planRetention, type RetentionEvent, type RetentionPlan } from "./retention-plan.js";

/** Free bytes on the filesystem holding `dir` (injectable: tests fake a full disk). */
export type FreeSpace = (dir: string) => number;

export const statfsFreeSpace: FreeSpace = (dir) => {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
};

export interface RetentionOptions {
  config: RetentionConfig;
  dataDir: string;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  audit: AuditAppender;
  /** Free space to keep on the data filesystem: the recorder's reserve (`recorder.storage.minFreeBytes`). */
  reserveBytes: number;
  freeSpace?: FreeSpace;
}

const REALERT_MS = 3_600_000;

function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const st = statSync(join(dir, name));
    total += st.isDirectory() ? dirBytes(join(dir, name)) : st.size;
  }
  return total;
}

/**
 * Retention's shell: reads events from disk, asks `planRetention`, deletes only what it allows (after
 * writing an `event-deleted` audit entry), and raises `storage-critical` when evidence that must be kept
 * alone breaches the reserve (`storage-recovered` when it no longer does). An event counts as uploaded
 * only when its manifest says verified AND that manifest matches its audit record: a hand-edited
 * manifest can never get evidence deleted.
 */
export class Retention implements Component {
  readonly name = "retention";
  private timer: TimerHandle | undefined;
  private critical: { since: number; lastAlert: number } | null = null;
  private lastPlan: RetentionPlan | null = null;
  private deleted = 0;
  private readonly freeSpace: FreeSpace;

  constructor(private readonly opts: RetentionOptions) {
    this.freeSpace = opts.freeSpace ?? statfsFreeSpace;
  }

  async start(): Promise<void> {
    this.runOnce();
    this.timer = this.opts.clock.setInterval(() => {
      try {
        this.runOnce();
      } catch (err) {
        // e.g. an event directory removed while it was being measured: try again next time
        this.opts.logger.error({ err }, "retention check failed; next check as scheduled");
      }
    }, this.opts.config.checkIntervalSeconds * 1000);
  }

  async stop(): Promise<void> {
    this.opts.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  status() {
    return {
      keepDaysAfterUpload: this.opts.config.keepDaysAfterUpload,
      storageCritical: this.lastPlan?.storageCritical ?? null,
      pendingDeletes: this.lastPlan?.delete.length ?? 0,
      kept: this.lastPlan?.keep.length ?? 0,
      deleted: this.deleted,
    };
  }

  /** What is on disk, as retention sees it. */
  events(): RetentionEvent[] {
    const eventsDir = join(this.opts.dataDir, "events");
    if (!existsSync(eventsDir)) return [];
    const out: RetentionEvent[] = [];
    for (const name of readdirSync(eventsDir)) {
      const dir = join(eventsDir, name);
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
      let verifiedAt: number | null = null;
      if (existsSync(join(dir, MANIFEST_FILE))) {
        try {
          const m = loadManifest(dir);
          const recorded = this.opts.audit.latestManifest(m.manifest.eventId);
          const at =
            m.manifest.offload?.state === "verified"
              ? Date.parse(m.manifest.offload.verifiedAt ?? "")
              : Number.NaN;
          // uploaded = verified, unaltered since its audit record, and the server holds this manifest
          const complete = recorded?.sha256 === m.sha256 && manifestOnServer(dir, m.sha256);
          if (m.manifest.eventId === name && complete && !Number.isNaN(at)) verifiedAt = at;
        } catch {
          // unreadable manifest: treat as not uploaded (kept)
        }
      }
      let bytes = 0;
      try {
        bytes = dirBytes(dir);
      } catch {
        continue; // being written or removed right now: next check
      }
      out.push({ eventId: name, bytes, verifiedAt });
    }
    return out;
  }

  runOnce(): RetentionPlan {
    const { config, clock, audit, logger, bus } = this.opts;
    const now = clock.now();
    for (const eventId of adoptUnrecordedEvents(audit, this.opts.dataDir, now, ADOPT_AFTER_MS)) {
      logger.warn({ eventId }, "event found without a recorded finalization: recorded now (adopted)");
    }
    const plan = planRetention(
      this.events(),
      now,
      { keepDaysAfterUpload: config.keepDaysAfterUpload, reserveBytes: this.opts.reserveBytes },
      this.freeSpace(this.opts.dataDir),
    );
    this.lastPlan = plan;
    for (const d of plan.delete) {
      const dir = join(this.opts.dataDir, "events", d.eventId);
      try {
        const m = loadManifest(dir).manifest;
        audit.append("event-deleted", {
          eventId: d.eventId,
          reason: d.reason,
          bucket: m.offload?.bucket ?? null,
          key: m.offload?.key ?? null,
          verifiedAt: m.offload?.verifiedAt ?? null,
        });
        rmSync(dir, { recursive: true, force: true });
        this.deleted += 1;
        logger.info({ eventId: d.eventId, reason: d.reason }, "retention: local copy deleted");
      } catch (err) {
        logger.error({ err, eventId: d.eventId }, "retention: could not delete event");
      }
    }
    const c = plan.storageCritical;
    if (c) {
      if (!this.critical || now - this.critical.lastAlert >= REALERT_MS) {
        bus.emit("alert", {
          code: "storage-critical",
          severity: "critical",
          message: `${Math.round(c.freeAfterDeletes / 1048576)} MiB free, reserve ${Math.round(c.reserveBytes / 1048576)} MiB; ${c.unuploadedEvents} un-uploaded event(s) (${Math.round(c.unuploadedBytes / 1048576)} MiB) are never deleted: the ring shrinks instead`,
          at: now,
        });
        this.critical = { since: this.critical?.since ?? now, lastAlert: now };
      }
      bus.emit("health", {
        component: "storage",
        state: "degraded",
        detail: "reserve breached by evidence awaiting upload",
        at: now,
      });
    } else if (this.critical) {
      this.critical = null;
      bus.emit("alert", {
        code: "storage-recovered",
        severity: "info",
        message: "free space is above the reserve again",
        at: now,
      });
      bus.emit("health", { component: "storage", state: "ok", at: now });
    }
    return plan;
  }
}

export function createRetention(opts: RetentionOptions): Retention {
  return new Retention(opts);
}
