import type { BackoffConfig } from "../core/backoff.js";
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import { type GpsEpoch, type GpsFeed, GpsFixAssembler } from "./gps-fix.js";
import { LineSplitter } from "./line-splitter.js";
import { parseNmeaSentence } from "./nmea-parser.js";
import { SerialLine } from "./serial-line.js";
import type { SerialPortFactory } from "./serial-port.js";

export interface NmeaSerialFeedOptions {
  path: string;
  baudRate: number;
  reconnect: BackoffConfig;
  clock: Clock;
  bus: EventBus;
  portFactory?: SerialPortFactory;
  onEpoch: (epoch: GpsEpoch) => void;
  log?: (level: "info" | "warn", msg: string) => void;
}

/** Longest line kept while waiting for its end (an NMEA sentence is at most 82 characters). */
const MAX_LINE = 256;
/** Rejected sentences are logged at most this often (all are counted in status()). */
const REJECT_LOG_INTERVAL_MS = 10_000;

/**
 * NMEA sentences from a receiver on a self-reconnecting serial line (health `gps`, alert
 * `serial-disconnected` while unplugged), assembled into epochs. Bad sentences are counted, never thrown.
 */
export class NmeaSerialFeed implements GpsFeed {
  readonly kind = "serial";
  readonly device: string;
  private readonly line: SerialLine;
  private readonly lines = new LineSplitter(MAX_LINE);
  private readonly assembler = new GpsFixAssembler();
  private sentences = 0;
  private ignored = 0;
  private rejected = 0;
  private lastRejected: { reason: string; line: string; at: number } | null = null;
  private rejectLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: NmeaSerialFeedOptions) {
    this.device = opts.path;
    this.line = new SerialLine({
      path: opts.path,
      baudRate: opts.baudRate,
      clock: opts.clock,
      bus: opts.bus,
      component: "gps",
      backoff: opts.reconnect,
      ...(opts.portFactory ? { portFactory: opts.portFactory } : {}),
      onData: (chunk) => this.onData(chunk.toString("latin1")),
      onClose: () => {
        this.lines.reset();
        this.assembler.reset();
      },
      ...(opts.log ? { log: opts.log } : {}),
    });
  }

  start(): void {
    this.line.start();
  }

  stop(): Promise<void> {
    return this.line.stop();
  }

  upSince(): number | null {
    return this.line.upSinceMonotonic;
  }

  status() {
    return {
      ...this.line.status(),
      sentences: this.sentences,
      ignored: this.ignored,
      rejected: this.rejected + this.lines.dropped,
      lastRejected: this.lastRejected,
    };
  }

  private onData(text: string): void {
    const now = this.opts.clock.now();
    for (const line of this.lines.push(text)) {
      const r = parseNmeaSentence(line);
      if (r.kind === "ignored") {
        this.ignored++;
      } else if (r.kind === "rejected") {
        this.reject(r.reason, line, now);
      } else {
        this.sentences++;
        const epoch = this.assembler.push(r.sentence, now);
        if (epoch) this.opts.onEpoch(epoch);
      }
    }
  }

  private reject(reason: string, line: string, now: number): void {
    this.rejected++;
    this.lastRejected = { reason, line: line.slice(0, 100), at: now };
    if (now - this.rejectLoggedAt < REJECT_LOG_INTERVAL_MS) return;
    this.rejectLoggedAt = now;
    this.opts.log?.("warn", `NMEA sentence rejected (${reason}): ${line.slice(0, 100)}`);
  }
}
