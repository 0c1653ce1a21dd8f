import { createConnection, type Socket } from "node:net";
import type { BackoffConfig } from "../core/backoff.js";
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import type { GpsEpoch, GpsFeed } from "./gps-fix.js";
import { epochFromTpv, GPSD_WATCH, parseGpsdLine } from "./gpsd-reports.js";
import { LineSplitter } from "./line-splitter.js";
import { LinkSupervisor } from "./link-supervisor.js";

export interface GpsdFeedOptions {
  host: string;
  port: number;
  reconnect: BackoffConfig;
  clock: Clock;
  bus: EventBus;
  onEpoch: (epoch: GpsEpoch) => void;
  log?: (level: "info" | "warn", msg: string) => void;
}

/** gpsd reports (SKY with many satellites) can be long; anything beyond this without a newline is dropped. */
const MAX_LINE = 64 * 1024;

/**
 * Fixes from gpsd over TCP: sends `?WATCH={"enable":true,"json":true}` and turns TPV reports (with the
 * latest SKY satellite count and HDOP) into epochs. Reconnects with backoff when gpsd restarts
 * (health `gps` down meanwhile, alert `gpsd-disconnected`).
 */
export class GpsdFeed implements GpsFeed {
  readonly kind = "gpsd";
  readonly device: string;
  private socket: Socket | undefined;
  private readonly supervisor: LinkSupervisor;
  private lines = new LineSplitter(MAX_LINE);
  private sky: { hdop: number | null; satellites: number | null } | null = null;
  private release: string | null = null;
  private reports = 0;
  private invalid = 0;
  private lastInvalid: string | null = null;

  constructor(private readonly opts: GpsdFeedOptions) {
    this.device = `${opts.host}:${opts.port}`;
    this.supervisor = new LinkSupervisor({
      clock: opts.clock,
      bus: opts.bus,
      component: "gps",
      device: `gpsd ${this.device}`,
      alertCode: "gpsd-disconnected",
      backoff: opts.reconnect,
      connect: () => this.connect(),
      disconnect: async () => this.close(),
      ...(opts.log ? { log: opts.log } : {}),
    });
  }

  start(): void {
    this.supervisor.start();
  }

  stop(): Promise<void> {
    return this.supervisor.stop();
  }

  upSince(): number | null {
    return this.supervisor.upSinceMonotonic;
  }

  status() {
    return {
      host: this.opts.host,
      port: this.opts.port,
      ...this.supervisor.status(),
      gpsdRelease: this.release,
      reports: this.reports,
      invalid: this.invalid,
      lastInvalid: this.lastInvalid,
    };
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: this.opts.host, port: this.opts.port });
      this.socket = socket;
      this.lines = new LineSplitter(MAX_LINE);
      this.sky = null;
      socket.setEncoding("utf8");
      let connected = false;
      socket.once("connect", () => {
        connected = true;
        socket.write(GPSD_WATCH);
        resolve();
      });
      socket.on("data", (text: string) => {
        if (this.socket === socket) this.onData(text);
      });
      socket.on("error", (err) => {
        if (!connected) reject(new Error(`cannot connect: ${err.message}`));
      });
      socket.once("close", () => {
        if (this.socket !== socket) return;
        this.socket = undefined;
        if (connected) this.supervisor.lost("gpsd closed the connection");
      });
    });
  }

  private close(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  private onData(text: string): void {
    const now = this.opts.clock.now();
    for (const line of this.lines.push(text)) {
      const r = parseGpsdLine(line);
      switch (r.kind) {
        case "tpv":
          this.reports++;
          this.opts.onEpoch(epochFromTpv(r.tpv, this.sky, now));
          break;
        case "sky":
          this.reports++;
          this.sky = { hdop: r.hdop, satellites: r.satellites };
          break;
        case "version":
          this.release = r.release;
          break;
        case "invalid":
          this.invalid++;
          this.lastInvalid = r.reason;
          break;
        case "other":
          break;
      }
    }
  }
}
