import { mkdirSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import { captureArgs, runIdFor, segmentListName } from "./capture-args.js";
import type { CameraConfig } from "./config.js";
import { type CaptureLauncher, type CaptureProcess, probeDuration } from "./ffmpeg-process.js";
import { removeFfmpegPid, stopOrphanFfmpeg, writeFfmpegPid } from "./orphan-ffmpeg.js";
import type { CameraStatus } from "./recorder-status.js";
import { readRingIndex, strayFiles } from "./ring-index.js";
import { nextAnchor, type Segment, type SegmentListEntry, segmentFromEntry } from "./segment.js";
import { SegmentListReader } from "./segment-list-reader.js";
import {
  type CameraState,
  planRestart,
  recentFailures,
  type SupervisionPolicy,
  stallDeadline,
} from "./supervision.js";

/**
 * One camera: a supervised ffmpeg writing segments into `{dataDir}/ring/{camera}/`, and the index of the
 * completed segments found there (this run's and, after a restart, earlier runs').
 */

export interface CameraListener {
  segment(seg: Segment): void;
  /** ffmpeg exited or stalled; recording of this camera is interrupted until the restart produces a segment. */
  fault(at: number, cause: string): void;
  health(state: CameraState, detail: string): void;
}

export interface CameraOptions {
  cam: CameraConfig;
  ringDir: string;
  segmentSeconds: number;
  ffmpegPath: string;
  ffprobePath: string;
  policy: SupervisionPolicy;
  stopTimeoutMs: number;
  clock: Clock;
  launch: CaptureLauncher;
  log: Logger;
  listener: CameraListener;
  /** How often the segment list is read (ms). */
  pollMs?: number;
}

/** A stalled ffmpeg gets this long per step (q, SIGINT, SIGTERM) before SIGKILL. */
const STALLED_STOP_MS = 1000;

interface Run {
  id: string;
  proc: CaptureProcess;
  startedMono: number;
  list: SegmentListReader;
  anchor: number | null;
  /** Media end (s) of the run's last listed segment. */
  lastEnd: number | null;
  lastSegmentMono: number | null;
  stopping: boolean;
}

export class CameraRecorder {
  readonly name: string;
  private readonly index = new Map<string, Segment>();
  private run: Run | null = null;
  private poll: TimerHandle | undefined;
  private restartTimer: TimerHandle | undefined;
  private failures: number[] = [];
  private restarts = 0;
  private state: CameraState = "starting";
  private stopped = true;
  private lastSegmentWall: number | null = null;
  /** Failed runs still being stopped. */
  private readonly stopping = new Set<Promise<void>>();

  constructor(private readonly o: CameraOptions) {
    this.name = o.cam.name;
  }

  /** Completed segments in the ring, oldest first. */
  segments(): Segment[] {
    return [...this.index.values()].sort((a, b) => a.startedAt - b.startedAt);
  }

  path(file: string): string {
    return join(this.o.ringDir, file);
  }

  get health(): CameraState {
    return this.state;
  }

  async start(): Promise<void> {
    mkdirSync(this.o.ringDir, { recursive: true, mode: 0o750 });
    this.stopped = false;
    this.state = "starting";
    this.o.listener.health("starting", "starting ffmpeg");
    await stopOrphanFfmpeg(this.o.ringDir, this.name, this.o.log);
    this.indexEarlierRuns();
    this.launch();
    this.poll = this.o.clock.setInterval(() => this.tick(), this.o.pollMs ?? 200);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.o.clock.clearInterval(this.poll);
    this.o.clock.clearTimeout(this.restartTimer);
    const run = this.run;
    if (run) {
      run.stopping = true;
      await run.proc.stop(this.o.stopTimeoutMs);
      this.readList(run);
      this.run = null;
    }
    await Promise.all([...this.stopping]);
    removeFfmpegPid(this.o.ringDir);
  }

  /** Delete ring files (never anything outside the ring directory). */
  remove(files: readonly string[]): void {
    for (const file of files) {
      this.index.delete(file);
      try {
        unlinkSync(this.path(file));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT")
          this.o.log.warn({ err, file }, "cannot delete ring segment");
      }
    }
    this.removeSpentLists();
  }

  status(): CameraStatus {
    return {
      state: this.state,
      segments: this.index.size,
      lastSegmentAgeSeconds:
        this.lastSegmentWall === null
          ? null
          : Math.round((this.o.clock.now() - this.lastSegmentWall) / 100) / 10,
      restarts: this.restarts,
      pid: this.run?.proc.pid ?? null,
    };
  }

  private launch(): void {
    const { clock, cam } = this.o;
    const id = runIdFor(clock.now());
    const args = captureArgs(cam, {
      ringDir: this.o.ringDir,
      run: id,
      segmentSeconds: this.o.segmentSeconds,
    });
    const proc = this.o.launch(this.o.ffmpegPath, args);
    const run: Run = {
      id,
      proc,
      startedMono: clock.monotonic(),
      list: new SegmentListReader(join(this.o.ringDir, segmentListName(id))),
      anchor: null,
      lastEnd: null,
      lastSegmentMono: null,
      stopping: false,
    };
    this.run = run;
    if (proc.pid !== undefined) writeFfmpegPid(this.o.ringDir, proc.pid, this.o.log);
    this.o.log.info({ run: id, pid: proc.pid }, `ffmpeg started for camera ${cam.name}`);
    void proc.exited.then((info) => {
      if (this.run !== run || run.stopping) return;
      this.readList(run);
      void this.salvage(run);
      const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
      this.fail(run, `ffmpeg exited (${how})`);
    });
  }

  private tick(): void {
    try {
      this.checkRun();
    } catch (err) {
      this.o.log.error({ err }, `camera ${this.name}: supervision check failed`);
    }
  }

  private checkRun(): void {
    const run = this.run;
    if (!run || run.stopping) return;
    this.readList(run);
    const deadline = stallDeadline(run.startedMono, run.lastSegmentMono, this.o.policy);
    if (this.o.clock.monotonic() > deadline) {
      const waited = ((this.o.clock.monotonic() - (run.lastSegmentMono ?? run.startedMono)) / 1000).toFixed(
        1,
      );
      this.fail(run, `ffmpeg stalled: no segment completed for ${waited}s`);
    }
  }

  private fail(run: Run, cause: string): void {
    const { clock, log, listener, policy } = this.o;
    run.stopping = true;
    const stderr = run.proc.stderrTail();
    const now = clock.monotonic();
    this.failures = [...recentFailures(this.failures, now, policy), now];
    const plan = planRestart(this.failures, now, policy);
    log.warn({ run: run.id, cause, stderr, restartInMs: plan.delayMs }, `camera ${this.name}: ${cause}`);
    listener.fault(clock.now(), cause);
    this.setState(
      plan.crashLoop ? "down" : "degraded",
      `${cause}; restart ${plan.failures} in ${plan.delayMs} ms`,
    );
    // The broken run is stopped in the background (its last segment is still indexed when it exits); the
    // restart does not wait for it: a stalled ffmpeg may take several seconds to die.
    const grace = cause.startsWith("ffmpeg stalled")
      ? Math.min(this.o.stopTimeoutMs, STALLED_STOP_MS)
      : this.o.stopTimeoutMs;
    const stopping = run.proc.stop(grace).then(async () => {
      this.readList(run);
      await this.salvage(run);
      this.stopping.delete(stopping);
    });
    this.stopping.add(stopping);
    if (this.run === run) this.run = null;
    if (this.stopped) return;
    this.o.clock.clearTimeout(this.restartTimer);
    this.restartTimer = clock.setTimeout(() => {
      if (this.stopped) return;
      this.restarts += 1;
      this.launch();
    }, plan.delayMs);
  }

  /** Reports changes only (a crash loop does not repeat "down" at every restart). */
  private setState(state: CameraState, detail: string): void {
    if (state === this.state) return;
    this.state = state;
    this.o.listener.health(state, detail);
  }

  /** Read what ffmpeg appended to the run's segment list; index and announce new segments. */
  private readList(run: Run): void {
    let entries: SegmentListEntry[];
    try {
      entries = run.list.readNew();
    } catch (err) {
      // Unreadable (not there yet is no error): reported, and the stall check restarts ffmpeg.
      this.o.log.error({ err }, "cannot read the segment list");
      return;
    }
    for (const entry of entries) {
      const seg = this.admit(run.id, entry, run.anchor, (a) => {
        run.anchor = a;
      });
      if (!seg) continue;
      run.lastEnd = entry.end;
      run.lastSegmentMono = this.o.clock.monotonic();
      this.lastSegmentWall = this.o.clock.now();
      if (this.run === run) this.setState("ok", "recording");
      this.announce(seg);
    }
  }

  private admit(
    runId: string,
    entry: SegmentListEntry,
    anchor: number | null,
    setAnchor: (a: number) => void,
  ): Segment | null {
    let st: { mtimeMs: number; size: number };
    try {
      st = statSync(this.path(entry.file));
    } catch {
      return null;
    }
    // A full disk: ffmpeg lists a segment it could not write a byte of. No footage, so no segment (a gap).
    if (st.size === 0) {
      this.o.log.warn(
        { file: entry.file },
        `camera ${this.name}: listed segment is empty (disk full?); skipped`,
      );
      return null;
    }
    const a = nextAnchor(anchor, entry, st.mtimeMs);
    setAnchor(a);
    const seg = segmentFromEntry(this.name, runId, entry, a, st.size);
    this.index.set(seg.file, seg);
    return seg;
  }

  /**
   * A run that died mid-segment (SIGKILL, crash) leaves the segment it was writing unlisted; it holds the
   * footage up to the crash, so it is measured with ffprobe and kept, placed after the run's last segment.
   */
  /** A listener's failure (e.g. the disk is full) never stops the camera's supervision. */
  private announce(seg: Segment): void {
    try {
      this.o.listener.segment(seg);
    } catch (err) {
      this.o.log.error({ err, file: seg.file }, `camera ${this.name}: handling a completed segment failed`);
    }
  }

  private async salvage(run: Run): Promise<void> {
    try {
      await this.salvageStrays(run);
    } catch (err) {
      this.o.log.error({ err }, `camera ${this.name}: cannot look for the failed run's partial segment`);
    }
  }

  private async salvageStrays(run: Run): Promise<void> {
    const prefix = `${run.id}-`;
    for (const stray of strayFiles(this.o.ringDir, new Set(this.index.keys()))) {
      if (!stray.file.startsWith(prefix)) continue;
      let seconds: number;
      let bytes: number;
      try {
        seconds = await probeDuration(this.o.ffprobePath, this.path(stray.file));
        bytes = statSync(this.path(stray.file)).size;
      } catch {
        continue; // nothing decodable in it
      }
      if (!(seconds >= 0.05) || this.index.has(stray.file)) continue;
      const start = run.lastEnd ?? 0;
      const entry = { file: stray.file, start, end: start + seconds };
      const seg = segmentFromEntry(
        this.name,
        run.id,
        entry,
        run.anchor ?? stray.mtimeMs - entry.end * 1000,
        bytes,
      );
      this.index.set(seg.file, seg);
      this.o.log.info(
        { file: seg.file, seconds },
        `camera ${this.name}: kept the partial segment of the failed run`,
      );
      this.o.listener.segment(seg);
    }
  }

  /** After a daemon restart: index the segments earlier runs completed (they may belong to an open event). */
  private indexEarlierRuns(): void {
    for (const seg of readRingIndex(this.o.ringDir, this.name)) this.index.set(seg.file, seg);
    const last = this.segments().at(-1);
    if (last) this.lastSegmentWall = last.startedAt + last.durationMs;
  }

  /** Delete partial segments of killed runs (never listed as complete) once they are older than `olderThan`. */
  removeStrays(olderThan: number): void {
    const current = this.run ? `${this.run.id}-` : null;
    for (const s of strayFiles(this.o.ringDir, new Set(this.index.keys()))) {
      if (current && s.file.startsWith(current)) continue;
      if (s.mtimeMs < olderThan) this.remove([s.file]);
    }
  }

  /** Segment lists of earlier runs whose segments are all gone. */
  private removeSpentLists(): void {
    const live = new Set([...this.index.values()].map((s) => s.run));
    if (this.run) live.add(this.run.id);
    for (const f of readdirSync(this.o.ringDir)) {
      if (!f.endsWith(".csv") || live.has(f.slice(0, -4))) continue;
      try {
        unlinkSync(join(this.o.ringDir, f));
      } catch {
        // ignore
      }
    }
  }
}
