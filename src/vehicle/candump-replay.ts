import { createReadStream } from "node:fs";
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import { inputFileProblem } from "../storage/input-file.js";
import type { CanFrame } from "./can-frame.js";
import type { CanSource } from "./can-source.js";
import { CandumpLineSplitter } from "./candump-line.js";
import { ReplayPacer } from "./replay-pacer.js";

export interface CandumpReplayOptions {
  file: string;
  /** 1 = original pace, 2 = twice as fast; 0 = as fast as possible. */
  speed: number;
  loop: boolean;
  clock: Clock;
  bus?: EventBus;
  logger?: Logger;
  /** Health component reported when the file cannot be read (default "can"). */
  component?: string;
}

/** Frames due within this many ms of each other go out in one batch (one timer per batch, not per frame). */
const BATCH_WINDOW_MS = 2;

/**
 * Replays a `candump -L` log as a CanSource. Paced (speed > 0): frames go out at the log's own spacing
 * divided by `speed`, on the injected clock, with timestamps rewritten to the replay's wall time (so
 * time-based rules behave as live). As fast as possible (speed 0): the file's batches go out back to back,
 * yielding to the event loop between them, with the log's original timestamps. The file is streamed,
 * never loaded whole; `loop` starts again at the end.
 */
export class CandumpReplay implements CanSource {
  readonly name = "replay";
  private listener: (frames: CanFrame[]) => void = () => {};
  private running = false;
  private done: Promise<void> = Promise.resolve();
  private readonly pacer: ReplayPacer;
  private splitter: CandumpLineSplitter | null = null;
  private framesOut = 0;
  private loops = 0;
  private state: "idle" | "playing" | "finished" | "failed" | "stopped" = "idle";
  private error: string | null = null;

  constructor(private readonly opts: CandumpReplayOptions) {
    this.pacer = new ReplayPacer(opts.clock);
  }

  onFrames(listener: (frames: CanFrame[]) => void): void {
    this.listener = listener;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.state = "playing";
    this.done = this.play().catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.pacer.cancel();
    await this.done;
    if (this.state === "playing") this.state = "stopped";
  }

  /** Resolves when the replay has ended (end of file without loop, failure or stop). */
  finished(): Promise<void> {
    return this.done;
  }

  status() {
    const counts = this.splitter?.counts;
    return {
      type: "replay",
      file: this.opts.file,
      speed: this.opts.speed,
      loop: this.opts.loop,
      state: this.state,
      frames: this.framesOut,
      loops: this.loops,
      fdSkipped: counts?.fdSkipped ?? 0,
      errorFramesSkipped: counts?.errorFramesSkipped ?? 0,
      invalidLines: counts?.invalid ?? 0,
      lastInvalid: counts?.lastInvalid ?? null,
      error: this.error,
    };
  }

  private async play(): Promise<void> {
    const { clock, speed } = this.opts;
    const startMono = clock.monotonic();
    const startWall = clock.now();
    let offsetMs = 0; // where this pass starts on the replay timeline
    while (this.running) {
      let first: number | null = null;
      let lastDue = offsetMs;
      let batch: CanFrame[] = [];
      for await (const frames of this.readFile()) {
        if (!this.running) return;
        if (speed === 0) {
          this.emit(frames);
          await new Promise((r) => setImmediate(r));
          continue;
        }
        for (const f of frames) {
          first ??= f.timestamp;
          // Rounded to the log's microsecond resolution (float noise would push a timer past its tick).
          const due = offsetMs + Math.max(0, Math.round(((f.timestamp - first) * 1e6) / speed) / 1000);
          lastDue = due;
          const wait = startMono + due - clock.monotonic();
          if (wait > BATCH_WINDOW_MS) {
            this.emit(batch);
            batch = [];
            await this.pacer.sleep(wait);
            if (!this.running) return;
          }
          f.timestamp = (startWall + due) / 1000;
          batch.push(f);
        }
      }
      this.emit(batch);
      if (!this.opts.loop || !this.running) break;
      this.loops++;
      offsetMs = lastDue + 10;
    }
    if (this.running) this.state = "finished";
  }

  private async *readFile(): AsyncGenerator<CanFrame[]> {
    // A regular file only: a FIFO would block, a device (/dev/zero) never ends.
    const problem = inputFileProblem(this.opts.file, "candump replay file");
    if (problem) throw new Error(problem);
    const splitter = new CandumpLineSplitter();
    this.splitter = splitter;
    const stream = createReadStream(this.opts.file, { encoding: "latin1", highWaterMark: 64 * 1024 });
    try {
      for await (const chunk of stream) {
        const frames = splitter.push(String(chunk));
        if (frames.length > 0) yield frames;
        if (!this.running) return;
      }
      const rest = splitter.end();
      if (rest.length > 0) yield rest;
    } finally {
      stream.destroy();
    }
  }

  private emit(frames: CanFrame[]): void {
    if (frames.length === 0) return;
    this.framesOut += frames.length;
    this.listener(frames);
  }

  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.state = "failed";
    this.error = message;
    this.running = false;
    this.opts.logger?.error({ file: this.opts.file, err: message }, "CAN replay failed");
    this.opts.bus?.emit("health", {
      component: this.opts.component ?? "can",
      state: "down",
      detail: `replay of ${this.opts.file} failed: ${message}`,
      at: this.opts.clock.now(),
    });
  }
}
