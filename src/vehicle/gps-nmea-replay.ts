import { readFile } from "node:fs/promises";
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import { inputFileProblem } from "../storage/input-file.js";
import { type GpsEpoch, type GpsFeed, GpsFixAssembler } from "./gps-fix.js";
import { parseNmeaSentence } from "./nmea-parser.js";
import { ReplayPacer } from "./replay-pacer.js";

export interface NmeaReplayOptions {
  file: string;
  /** 1 = the log's pace (by RMC times), 2 = twice as fast. */
  speed: number;
  loop: boolean;
  clock: Clock;
  bus: EventBus;
  onEpoch: (epoch: GpsEpoch) => void;
}

/** Files larger than this are refused (a day of 1 Hz NMEA is ~20 MB). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Replays an NMEA log as a GPS receiver (the demo, installer checks): sentences up to each RMC are
 * fed to the fix assembler together, then the replay waits until the next RMC's time (1 s when a log has
 * no times), divided by `speed`, on the injected clock. Fixes are stamped with the replay's own time and
 * carry no GPS time (a replay is not a clock reference). Health `gps` is `ok` while it plays and `down`
 * if the file cannot be read.
 */
export class NmeaReplayFeed implements GpsFeed {
  readonly kind = "replay";
  readonly device: string;
  private running = false;
  private startedMono: number | null = null;
  private readonly pacer: ReplayPacer;
  private done: Promise<void> = Promise.resolve();
  private epochs = 0;
  private loops = 0;
  private rejected = 0;
  private error: string | null = null;

  constructor(private readonly opts: NmeaReplayOptions) {
    this.pacer = new ReplayPacer(opts.clock);
    this.device = opts.file;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.play().catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.startedMono = null;
    this.pacer.cancel();
    await this.done;
  }

  upSince(): number | null {
    return this.startedMono;
  }

  status() {
    return {
      file: this.opts.file,
      speed: this.opts.speed,
      loop: this.opts.loop,
      playing: this.running,
      epochs: this.epochs,
      loops: this.loops,
      rejected: this.rejected,
      error: this.error,
    };
  }

  private async play(): Promise<void> {
    const { clock, bus, file } = this.opts;
    // A regular file only: a FIFO would block, a device (/dev/zero) never ends.
    const problem = inputFileProblem(file, "GPS replay file");
    if (problem) throw new Error(problem);
    const text = await readFile(file, "latin1");
    if (text.length > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    const lines = text.split("\n");
    if (!this.running) return;
    this.startedMono = clock.monotonic();
    bus.emit("health", { component: "gps", state: "ok", detail: `replaying ${file}`, at: clock.now() });
    const assembler = new GpsFixAssembler();
    do {
      let lastRmcUtc: number | null = null;
      for (const line of lines) {
        if (!this.running) return;
        if (line.trim() === "") continue;
        const r = parseNmeaSentence(line);
        if (r.kind === "rejected") this.rejected++;
        if (r.kind !== "sentence") continue;
        if (r.sentence.type === "RMC") {
          const utc = r.sentence.utcMs;
          const gap = utc !== null && lastRmcUtc !== null && utc > lastRmcUtc ? utc - lastRmcUtc : 1000;
          if (lastRmcUtc !== null || this.epochs > 0) await this.pacer.sleep(gap / this.opts.speed);
          if (!this.running) return;
          lastRmcUtc = utc;
        }
        const epoch = assembler.push(r.sentence, clock.now());
        if (epoch) {
          this.epochs++;
          this.opts.onEpoch({ fix: epoch.fix, gpsTimeMs: null });
        }
      }
      if (this.opts.loop && this.running) this.loops++;
    } while (this.opts.loop && this.running);
    this.running = false;
  }

  private fail(err: unknown): void {
    const { clock, bus, file } = this.opts;
    this.error = err instanceof Error ? err.message : String(err);
    this.running = false;
    this.startedMono = null;
    bus.emit("health", {
      component: "gps",
      state: "down",
      detail: `replay of ${file} failed: ${this.error}`,
      at: clock.now(),
    });
  }
}
