import type { Clock, TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { EventBus, GpsFix } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { GpsConfig } from "./gps-config.js";
import type { GpsEpoch, GpsFeed } from "./gps-fix.js";
import { NmeaSerialFeed } from "./gps-nmea-feed.js";
import { NmeaReplayFeed } from "./gps-nmea-replay.js";
import { GpsdFeed } from "./gpsd-feed.js";
import type { SerialPortFactory } from "./serial-port.js";

export interface GpsReceiverDeps {
  clock: Clock;
  bus: EventBus;
  logger?: Logger;
  /** Serial ports for NMEA receivers (default node-serialport; tests pass SerialPortMock). */
  portFactory?: SerialPortFactory;
}

/** The signal a speed rule can use where the CAN bus has no speed. */
export const GPS_SPEED_SIGNAL = "gps.speedKmh";
const CHECK_INTERVAL_MS = 1000;

/**
 * The GPS component: reads fixes from an NMEA receiver or gpsd and publishes each valid one as a `gps`
 * event (the event's GPS track) and a `gps.speedKmh` signal. Health `gps`: `down` while the receiver or
 * gpsd is unreachable (from the link), `degraded` after `staleAfterSeconds` without a valid fix (speed
 * then becomes null), `ok` when fixes are back. Raises `clock-skew` once if system and GPS time disagree.
 */
export class GpsReceiver implements Component {
  readonly name = "gps";
  private readonly feed: GpsFeed;
  private timer: TimerHandle | undefined;
  private lastFix: GpsFix | null = null;
  private lastFixMono: number | null = null;
  private degraded = false;
  private fixes = 0;
  private noFixEpochs = 0;
  private gpsTimeMs: number | null = null;
  private clockOffsetMs: number | null = null;
  private skewAlerted = false;
  /** The last published gps.speedKmh was a number (so losing the fix must publish null). */
  private speedKnown = false;

  constructor(
    private readonly config: GpsConfig,
    private readonly deps: GpsReceiverDeps,
  ) {
    this.feed = this.createFeed(deps, (e) => this.onEpoch(e), deps.logger?.child({ component: "gps" }));
  }

  private createFeed(
    deps: GpsReceiverDeps,
    onEpoch: (e: GpsEpoch) => void,
    log: Logger | undefined,
  ): GpsFeed {
    const src = this.config.source;
    const { clock, bus } = deps;
    if (src.type === "replay") {
      return new NmeaReplayFeed({ clock, bus, onEpoch, file: src.file, speed: src.speed, loop: src.loop });
    }
    const common = {
      clock,
      bus,
      reconnect: src.reconnect,
      onEpoch,
      ...(log ? { log: (level: "info" | "warn", msg: string) => log[level](msg) } : {}),
    };
    if (src.type === "gpsd") return new GpsdFeed({ ...common, host: src.host, port: src.port });
    return new NmeaSerialFeed({
      ...common,
      path: src.path,
      baudRate: src.baudRate,
      ...(deps.portFactory ? { portFactory: deps.portFactory } : {}),
    });
  }

  async start(): Promise<void> {
    this.feed.start();
    this.timer = this.deps.clock.setInterval(() => this.check(), CHECK_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    this.deps.clock.clearInterval(this.timer);
    this.timer = undefined;
    await this.feed.stop();
  }

  status() {
    const { clock } = this.deps;
    const fix = this.lastFix;
    return {
      source: this.feed.kind,
      device: this.feed.device,
      link: this.feed.status(),
      hasFix: fix !== null && !this.stale(),
      lastFix: fix && { ...fix, ageMs: clock.monotonic() - (this.lastFixMono ?? clock.monotonic()) },
      fixes: this.fixes,
      noFixEpochs: this.noFixEpochs,
      gpsTime: this.gpsTimeMs === null ? null : new Date(this.gpsTimeMs).toISOString(),
      clockOffsetMs: this.clockOffsetMs,
    };
  }

  private onEpoch(e: GpsEpoch): void {
    const { bus, clock } = this.deps;
    if (e.gpsTimeMs !== null) this.checkClock(e.gpsTimeMs);
    if (!e.fix) {
      this.noFixEpochs++;
      return;
    }
    this.lastFix = e.fix;
    this.lastFixMono = clock.monotonic();
    this.fixes++;
    bus.emit("gps", e.fix);
    bus.emit("signal", { name: GPS_SPEED_SIGNAL, value: e.fix.speedKmh, unit: "km/h", at: e.fix.at });
    this.speedKnown = e.fix.speedKmh !== null;
    if (this.degraded) {
      this.degraded = false;
      bus.emit("health", { component: "gps", state: "ok", detail: `${e.fix.fix} fix`, at: clock.now() });
    }
  }

  /** Every second: a link that is up but yields no valid fix turns health degraded. */
  private check(): void {
    const { bus, clock } = this.deps;
    if (this.feed.upSince() === null) {
      // The link reports `down` itself; staleness counts afresh from when it is back.
      this.degraded = false;
      this.speedUnknown();
      return;
    }
    if (this.degraded || !this.stale()) return;
    this.degraded = true;
    const seconds = this.config.staleAfterSeconds;
    bus.emit("health", {
      component: "gps",
      state: "degraded",
      detail: `no valid GPS fix for ${seconds} s`,
      at: clock.now(),
    });
    this.speedUnknown();
  }

  private speedUnknown(): void {
    if (!this.speedKnown) return;
    this.speedKnown = false;
    this.deps.bus.emit("signal", {
      name: GPS_SPEED_SIGNAL,
      value: null,
      unit: "km/h",
      at: this.deps.clock.now(),
    });
  }

  private stale(): boolean {
    const since = Math.max(
      this.lastFixMono ?? Number.NEGATIVE_INFINITY,
      this.feed.upSince() ?? Number.NEGATIVE_INFINITY,
    );
    return this.deps.clock.monotonic() - since >= this.config.staleAfterSeconds * 1000;
  }

  private checkClock(gpsTimeMs: number): void {
    const { bus, clock } = this.deps;
    this.gpsTimeMs = gpsTimeMs;
    this.clockOffsetMs = clock.now() - gpsTimeMs;
    if (this.skewAlerted || Math.abs(this.clockOffsetMs) <= this.config.clockSkewAlertSeconds * 1000) return;
    this.skewAlerted = true;
    bus.emit("alert", {
      code: "clock-skew",
      severity: "warning",
      message: `system clock differs from GPS time by ${Math.round(this.clockOffsetMs / 1000)} s (GPS ${new Date(gpsTimeMs).toISOString()})`,
      at: clock.now(),
    });
  }
}
