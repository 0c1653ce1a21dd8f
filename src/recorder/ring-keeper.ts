import { statSync } from "node:fs";
import type { Clock } from "../core/clock.js";
import type { AlertSeverity } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { CameraRecorder } from "./camera-recorder.js";
import type { RecorderConfig } from "./config.js";
import type { FreeSpaceProbe } from "./free-space.js";
import type { RingStatus } from "./recorder-status.js";
import {
  measuredBitrate,
  planRing,
  type RingEntry,
  reserveBytes,
  ringKeepMs,
  type StoragePressure,
} from "./ring.js";
import type { Segment } from "./segment.js";

/**
 * The I/O shell around ring retention (`ring.ts`): measures free space and bitrate, asks the pure planner
 * what to delete, deletes it from the cameras' rings (never anything under events/), raises `storage-low`.
 */

export interface RingKeeperOptions {
  config: RecorderConfig;
  preEventSeconds: number;
  dataDir: string;
  clock: Clock;
  freeSpace: FreeSpaceProbe;
  log: Logger;
  alert: (code: string, severity: AlertSeverity, message: string) => void;
  /** An unfinished event (awaiting resume) still has to claim this segment. */
  needed: (seg: Segment) => boolean;
  /** Told the free space after each check (assembly that failed for lack of space is retried from it). */
  spaceChecked?: (freeBytes: number) => void;
}

/** While storage stays low, the alert is repeated at most this often. */
const STORAGE_ALERT_EVERY_MS = 10 * 60_000;

function nlink(path: string): number {
  try {
    return statSync(path).nlink;
  } catch {
    return 0;
  }
}

export class RingKeeper {
  /** Ring entries also hard-linked into an event (`camera/file`): deleting them frees nothing. */
  private readonly linked = new Set<string>();
  private free: number | null = null;
  private reserve = 0;
  private pressure: StoragePressure = "none";
  private alertedAt = Number.NEGATIVE_INFINITY;
  private busy = false;

  constructor(private readonly o: RingKeeperOptions) {}

  markLinked(camera: string, file: string): void {
    this.linked.add(`${camera}/${file}`);
  }

  /** After a restart: which of the ring's segments earlier daemons linked into events. */
  learnLinks(cam: CameraRecorder): void {
    for (const seg of cam.segments()) if (nlink(cam.path(seg.file)) > 1) this.markLinked(cam.name, seg.file);
  }

  status(): RingStatus {
    return { freeBytes: this.free, reserveBytes: this.reserve, pressure: this.pressure };
  }

  async tick(cameras: readonly CameraRecorder[]): Promise<void> {
    if (this.busy || cameras.length === 0) return;
    this.busy = true;
    try {
      await this.trim(cameras);
    } catch (err) {
      this.o.log.error({ err }, "ring maintenance failed");
    } finally {
      this.busy = false;
    }
  }

  private async trim(cameras: readonly CameraRecorder[]): Promise<void> {
    const { config, clock } = this.o;
    const free = await this.o.freeSpace(this.o.dataDir);
    const now = clock.now();
    const entries: RingEntry[] = [];
    let bitrate = 0;
    for (const cam of cameras) {
      const segs = cam.segments();
      const cfg = config.cameras.find((c) => c.name === cam.name);
      const estimate = cfg
        ? (cfg.video.bitrateKbps + (cfg.audio.enabled ? cfg.audio.bitrateKbps : 0)) * 1000
        : 0;
      bitrate += measuredBitrate(segs.slice(-30)) ?? estimate;
      for (const s of segs) {
        const key = `${cam.name}/${s.file}`;
        // Muting replaces the event's link with a new file, so the set is confirmed on disk.
        const linked = this.linked.has(key) && nlink(cam.path(s.file)) > 1;
        if (!linked) this.linked.delete(key);
        const { startedAt, durationMs, bytes } = s;
        entries.push({ key, startedAt, durationMs, bytes, linked, needed: this.o.needed(s) });
      }
    }
    const reserve = reserveBytes(bitrate, config.storage.reserveMinutes, config.storage.minFreeBytes);
    const windowMs = (this.o.preEventSeconds + config.ring.marginSeconds) * 1000;
    const plan = planRing({
      entries,
      now,
      keepMs: ringKeepMs(this.o.preEventSeconds, config.ring.marginSeconds, config.ring.keepHours),
      windowMs,
      freeBytes: free,
      reserveBytes: reserve,
    });
    for (const cam of cameras) {
      const prefix = `${cam.name}/`;
      const files = plan.delete.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
      cam.remove(files);
      for (const f of files) this.linked.delete(`${prefix}${f}`);
      cam.removeStrays(now - windowMs - 60_000);
    }
    const before = this.pressure;
    this.free = free;
    this.o.spaceChecked?.(free);
    this.reserve = reserve;
    this.pressure = plan.pressure;
    const escalated = plan.pressure === "short" && before !== "short";
    const repeat = plan.pressure !== "none" && now - this.alertedAt >= STORAGE_ALERT_EVERY_MS;
    if (!escalated && !repeat) return;
    this.alertedAt = now;
    const short = plan.pressure === "short";
    const msg = short
      ? `free space ${free} B is below the reserve of ${reserve} B even after trimming the ring; event footage is kept`
      : `free space ${free} B is below the reserve of ${reserve} B; deleted ${plan.delete.length} oldest ring segments`;
    this.o.log.warn({ free, reserve, deleted: plan.delete.length }, msg);
    this.o.alert("storage-low", short ? "critical" : "warning", msg);
  }
}
