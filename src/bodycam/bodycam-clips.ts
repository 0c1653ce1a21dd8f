import { type Clock, systemClock, type TimerHandle } from "../core/clock.js";
import { bindClips } from "./clip-binding.js";
import { ClipDock, type DockedClip, openDockTarget } from "./clip-dock.js";
import type { ClipManifest } from "./clip-manifest.js";
import { ClipRecorder } from "./clip-recorder.js";
import type { ReferenceBodycam } from "./reference-bodycam.js";

export interface BodycamClipsOptions {
  /** Where clips are recorded (one directory per clip). */
  dir: string;
  officer?: string | null;
  /** Station storage: a directory or http(s)://HOST:PORT/BUCKET[/PREFIX/]; none: clips stay on the cam. */
  dock?: string;
  dockCredentialsFile?: string;
  /** Retry docking this often while clips are pending (ms). */
  dockRetryMs?: number;
  video?: { width: number; height: number; fps: number };
  software?: { name: string; version: string };
  clock?: Clock;
  /** What happened, for the caller's log. */
  report?: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * A body cam's clips end to end: a real clip while the cam records (ClipRecorder bound to the cam), and,
 * when docked, every finished clip uploaded to the station's storage (ClipDock). Clips a crash left
 * unfinished are finished at start, and clips not docked yet are docked then.
 */
export class BodycamClips {
  private readonly clock: Clock;
  private readonly recorder: ClipRecorder;
  private dock: ClipDock | null = null;
  private unbind: (() => Promise<void>) | null = null;
  private retry: TimerHandle | undefined;
  private docking: Promise<void> = Promise.resolve();
  private again = false;
  private stopped = false;

  constructor(
    private readonly cam: ReferenceBodycam,
    vehicleId: string,
    private readonly opts: BodycamClipsOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.recorder = new ClipRecorder({
      camId: cam.id,
      dir: opts.dir,
      officer: opts.officer ?? null,
      vehicleId,
      clock: this.clock,
      ...(opts.video ? { video: opts.video } : {}),
      ...(opts.software ? { software: opts.software } : {}),
    });
  }

  private report(event: string, fields: Record<string, unknown>): void {
    this.opts.report?.(event, fields);
  }

  async start(): Promise<void> {
    if (this.opts.dock) {
      const { target, prefix } = await openDockTarget(this.opts.dock, {
        ...(this.opts.dockCredentialsFile ? { credentialsFile: this.opts.dockCredentialsFile } : {}),
      });
      this.dock = new ClipDock(this.opts.dir, target, { prefix, clock: this.clock });
    }
    for (const clipId of await this.recorder.recover()) this.report("clip-recovered", { clipId });
    this.unbind = bindClips(this.cam, this.recorder, {
      started: (clipId, eventId) => this.report("clip-started", { clipId, eventId }),
      finished: (m: ClipManifest) => {
        this.report("clip-finished", {
          clipId: m.clipId,
          eventId: m.eventId,
          durationSeconds: m.files[0]?.durationSeconds,
          clockOffsetMs: m.clockOffsetMs,
        });
        this.dockNow();
      },
      failed: (err) => this.report("clip-failed", { error: err.message }),
    });
    this.dockNow();
    this.retry = this.clock.setInterval(() => {
      if (this.dock && this.dock.pending().length > 0) this.dockNow();
    }, this.opts.dockRetryMs ?? 30_000);
  }

  /** Dock pending clips now (one pass at a time; a request during a pass runs another after it). */
  dockNow(): Promise<void> {
    const dock = this.dock;
    if (!dock || this.stopped) return this.docking;
    this.again = true;
    this.docking = this.docking.then(async () => {
      if (!this.again) return;
      this.again = false;
      await dock.dockAll({
        docked: (c: DockedClip) => this.report("clip-docked", { ...c }),
        failed: (clipId, err) => this.report("clip-dock-failed", { clipId, error: err.message }),
      });
    });
    return this.docking;
  }

  get recording(): boolean {
    return this.recorder.recording;
  }

  /** Finish the clip being recorded, dock it, stop. */
  async stop(): Promise<void> {
    this.clock.clearInterval(this.retry);
    await this.unbind?.();
    this.unbind = null;
    await this.dockNow();
    this.stopped = true;
    await this.docking;
  }
}
