import type { Clock, TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { EventBus } from "../core/event-bus.js";
import type { HealthState } from "../core/health.js";
import type { Logger } from "../core/logger.js";
import { stageTrace } from "../core/stage-trace.js";
import { readInputFileSync } from "../storage/input-file.js";
import type { CanFrame } from "./can-frame.js";
import type { CanSource } from "./can-source.js";
import { type DbcDatabase, parseDbc } from "./dbc.js";
import { RuleConfigError } from "./rule.js";
import type { RuleEvent } from "./rule-set.js";
import { RuleSet } from "./rule-set.js";
import { type SignalDefinition, valueLabel } from "./signal.js";
import type { SignalSectionConfig } from "./signal-config.js";
import { FrameDecoder } from "./signal-decoder.js";
import { EXTERNAL_SIGNAL_PREFIX, SignalConfigError, selectSignals } from "./signal-selection.js";

export interface VehicleBusOptions {
  config: SignalSectionConfig;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Where frames come from; without one, rules can still use external signals (gps.speedKmh). */
  source?: CanSource;
  /** How often time is advanced for hold times and timeouts (default 100 ms). */
  tickMs?: number;
}

/** Health component for signal liveness; the source reports its own link under "can". */
export const SIGNALS_HEALTH_COMPONENT = "can:signals";
/** With a source, no frame at all for this long is reported (degraded). */
const NO_FRAMES_MS = 2000;
const DEFAULT_TICK_MS = 100;
/** Frame times within this of host time are taken as host time. */
const LIVE_SKEW_MS = 1000;

export class VehicleBusConfigError extends Error {
  override name = "VehicleBusConfigError";
}

/** Load and parse the configured DBC file, with errors that name the file. */
/** The largest DBC files in opendbc are a few hundred KB. */
const MAX_DBC_BYTES = 16 * 1024 * 1024;

export function loadDbc(path: string): DbcDatabase {
  let text: string;
  try {
    text = readInputFileSync(path, { what: "DBC file", maxBytes: MAX_DBC_BYTES, text: true }).toString(
      "utf8",
    );
  } catch (err) {
    throw new VehicleBusConfigError(`vehicleBus.dbc: cannot read ${(err as Error).message}`);
  }
  try {
    return parseDbc(text);
  } catch (err) {
    throw new VehicleBusConfigError(`vehicleBus.dbc: ${path}: ${(err as Error).message}`);
  }
}

/**
 * The vehicle bus component: frames from the CAN source are decoded (only the configured signals' ids),
 * fed to the trigger rules, and the rules' transitions go on the bus as triggers with origin
 * `{kind: "can", id: ruleName}`. Decoded values go on the bus as `signal` events (on change, rate-limited,
 * and always just before a transition) for status and the event timeline. Silent signals are reported as
 * health problems.
 */
export class VehicleBus implements Component {
  readonly name = "vehicle-bus";
  private decoder: FrameDecoder | undefined;
  private rules: RuleSet | undefined;
  /** Decoder index → rule-set signal index (-1: no rule uses it). */
  private ruleIndex = new Int32Array(0);
  private values = new Float64Array(0);
  private valueAt = new Float64Array(0);
  private emitted: (number | null)[] = [];
  private emittedAt = new Float64Array(0);
  private dirty = new Uint8Array(0);
  private readonly events: RuleEvent[] = [];
  private frameTimeMs = 0;
  /** Frame time − host time, from the latest batch (≈ 0 for live sources; replays keep their own times). */
  private skewMs = 0;
  private frames = 0;
  private decodedFrames = 0;
  private lastFrameHostAt: number | null = null;
  private rate = { frames: 0, at: 0, perSecond: 0 };
  private startedAt = 0;
  private tick: TimerHandle | undefined;
  private health: { state: HealthState; detail: string; key: string } | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly log: Logger;
  private readonly tickMs: number;

  constructor(private readonly opts: VehicleBusOptions) {
    this.log = opts.logger.child({ component: "vehicle-bus" });
    this.tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
  }

  /** The decoded signals, in decoder order (valid after start). */
  get signals(): readonly SignalDefinition[] {
    return this.decoder?.signals ?? [];
  }

  async start(): Promise<void> {
    const { config, bus, clock, source } = this.opts;
    const dbc = config.dbc ? loadDbc(config.dbc) : undefined;
    let signals: SignalDefinition[];
    try {
      ({ signals } = selectSignals(dbc, config.signals, config.rules));
    } catch (err) {
      if (err instanceof SignalConfigError) {
        throw new VehicleBusConfigError(
          `vehicleBus${config.dbc ? ` (dbc ${config.dbc})` : ""}: ${err.message}`,
        );
      }
      throw err;
    }
    const byName = new Map(signals.map((s) => [s.name, s]));
    this.startedAt = clock.now();
    try {
      this.rules = new RuleSet(config.rules, (name) => byName.get(name), this.startedAt);
    } catch (err) {
      if (err instanceof RuleConfigError) throw new VehicleBusConfigError(`vehicleBus.rules: ${err.message}`);
      throw err;
    }
    this.decoder = new FrameDecoder(signals);
    const n = signals.length;
    this.ruleIndex = Int32Array.from(signals, (s) => this.rules?.signalIndex(s.name) ?? -1);
    this.values = new Float64Array(n).fill(Number.NaN);
    this.valueAt = new Float64Array(n);
    this.emitted = new Array<number | null>(n).fill(null);
    this.emittedAt = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.dirty = new Uint8Array(n);
    this.rate = { frames: 0, at: clock.monotonic(), perSecond: 0 };

    // External signals (the GPS component's `gps.speedKmh`) feed the rules that use them.
    this.unsubscribe.push(
      bus.on("signal", (s) => {
        if (s.name.startsWith(EXTERNAL_SIGNAL_PREFIX) && typeof s.value === "number")
          this.external(s.name, s.value, s.at);
      }),
    );
    this.tick = clock.setInterval(() => this.onTick(), this.tickMs);
    this.log.info(
      {
        dbc: config.dbc ?? null,
        signals: signals.map((s) => s.name),
        rules: config.rules.map((r) => r.name),
      },
      "vehicle bus decoding",
    );
    this.report("ok", source ? "waiting for frames" : "no CAN source");
    if (source) {
      source.onFrames((frames) => this.onFrames(frames));
      try {
        await source.start();
      } catch (err) {
        // The source degrades alone (it retries on its own); rules on external signals keep working.
        this.log.error({ err }, "CAN source failed to start");
        this.report("down", `CAN source failed to start: ${(err as Error).message}`);
      }
    }
  }

  async stop(): Promise<void> {
    this.opts.clock.clearInterval(this.tick);
    this.tick = undefined;
    for (const off of this.unsubscribe.splice(0)) off();
    await this.opts.source?.stop();
  }

  /** The hot path: one batch of frames from the source. */
  onFrames(frames: CanFrame[]): void {
    const decoder = this.decoder;
    if (!decoder || frames.length === 0) return;
    this.frames += frames.length;
    for (const f of frames) {
      this.frameTimeMs = f.timestamp * 1000;
      if (decoder.wants(f)) {
        this.decodedFrames++;
        decoder.decode(f, this.onValue);
      }
    }
    const hostNow = this.opts.clock.now();
    this.lastFrameHostAt = hostNow;
    // Live sources stamp frames with host time (or a device clock kept near it): no skew. A replay keeps
    // its log's times; then rules run in the log's time and triggers are shifted back to host time.
    const skew = this.frameTimeMs - hostNow;
    this.skewMs = Math.abs(skew) < LIVE_SKEW_MS ? 0 : skew;
    if (this.events.length > 0) {
      stageTrace.mark("ruled");
      this.flushEvents();
    }
  }

  private readonly onValue = (index: number, value: number): void => {
    const at = this.frameTimeMs;
    this.values[index] = value;
    this.valueAt[index] = at;
    const r = this.ruleIndex[index] ?? -1;
    if (r >= 0) this.rules?.update(r, value, at, this.events);
    if (value !== this.emitted[index]) {
      if (at - (this.emittedAt[index] ?? 0) >= this.opts.config.signalIntervalMs) this.emitSignal(index);
      else this.dirty[index] = 1;
    }
  };

  /** A value from another component (GPS) for rules that use it. */
  private external(name: string, value: number, at: number): void {
    const i = this.rules?.signalIndex(name);
    if (i === undefined || !this.rules) return;
    this.rules.update(i, value, at + this.skewMs, this.events);
    if (this.events.length > 0) stageTrace.begin("ruled");
    this.flushEvents();
  }

  /** The latest decoded value of signal `index` into the timeline. */
  private emitSignal(index: number): void {
    const value = this.values[index];
    if (value === undefined || Number.isNaN(value)) return;
    this.dirty[index] = 0;
    this.publish(index, value, this.valueAt[index] ?? 0);
  }

  /** A `signal` event (value-table name where there is one); `at` in source time. */
  private publish(index: number, value: number | null, at: number): void {
    const def = this.decoder?.signals[index];
    if (!def) return;
    this.emitted[index] = value;
    this.emittedAt[index] = at;
    const label = value === null ? undefined : valueLabel(def, value);
    this.opts.bus.emit("signal", {
      name: def.name,
      value: label ?? value,
      ...(def.unit && value !== null && label === undefined ? { unit: def.unit } : {}),
      at: Math.round(at - this.skewMs),
    });
  }

  private onTick(): void {
    const { clock } = this.opts;
    const hostNow = clock.now();
    const sourceNow = hostNow + this.skewMs;
    this.rules?.advance(sourceNow, this.events);
    this.flushEvents();
    const interval = this.opts.config.signalIntervalMs;
    for (let i = 0; i < this.dirty.length; i++) {
      if (this.dirty[i] && sourceNow - (this.emittedAt[i] ?? 0) >= interval) this.emitSignal(i);
    }
    const mono = clock.monotonic();
    if (mono - this.rate.at >= 1000) {
      this.rate = {
        frames: this.frames,
        at: mono,
        perSecond: ((this.frames - this.rate.frames) * 1000) / (mono - this.rate.at),
      };
    }
    this.updateHealth(hostNow);
  }

  private flushEvents(): void {
    const { bus } = this.opts;
    for (const e of this.events) {
      const hostAt = Math.round(e.at - this.skewMs);
      if (e.kind === "transition") {
        bus.emit("trigger", {
          origin: { kind: "can", id: e.rule },
          active: e.active,
          at: hostAt,
          reason: e.reason,
        });
        // The value the rule decided on goes into the timeline right after the trigger went out (unless just
        // sent), with its own time (the frame's, before the trigger's): an event the trigger opened receives
        // it in its journal too. Emitting it first cost ~0.05 ms on the trigger → body-cam path.
        const index = this.decoder?.signals.findIndex((s) => s.name === e.signal) ?? -1;
        if (index >= 0 && e.value !== this.emitted[index]) this.publish(index, e.value, e.at);
        // Logged after the trigger went out: the log write is not on the trigger → body-cam path.
        this.log.info({ rule: e.rule, active: e.active, reason: e.reason }, "CAN rule");
      } else if (e.kind === "signal-lost") {
        this.log.warn({ signal: e.signal, timeoutMs: e.timeoutMs }, "signal lost");
        const i = this.decoder?.signals.findIndex((s) => s.name === e.signal) ?? -1;
        if (i >= 0) this.publish(i, null, e.at);
      } else {
        this.log.info({ signal: e.signal }, "signal restored");
      }
    }
    this.events.length = 0;
  }

  private updateHealth(hostNow: number): void {
    const lost = this.rules?.lostSignals() ?? [];
    const silentFor = hostNow - (this.lastFrameHostAt ?? this.startedAt);
    if (this.opts.source && silentFor >= NO_FRAMES_MS) {
      // A parked car's bus is quiet too: degraded, not down (the source reports its own link under "can").
      this.report("degraded", `no CAN frames for ${(silentFor / 1000).toFixed(1)} s`, "silent");
    } else if (lost.length > 0) {
      this.report("degraded", `no value for ${lost.join(", ")}`);
    } else if (this.opts.source && this.lastFrameHostAt === null) {
      this.report("ok", "waiting for frames");
    } else {
      this.report("ok", "decoding");
    }
  }

  /** Emit health when it changes (`key` defaults to the detail; a growing duration keeps its key). */
  private report(state: HealthState, detail: string, key = detail): void {
    const prev = this.health;
    if (prev && prev.state === state && prev.key === key) return;
    this.health = { state, detail, key };
    this.opts.bus.emit("health", {
      component: SIGNALS_HEALTH_COMPONENT,
      state,
      detail,
      at: this.opts.clock.now(),
    });
  }

  status() {
    const values: Record<string, unknown> = {};
    this.decoder?.signals.forEach((def, i) => {
      const v = this.values[i];
      if (v === undefined || Number.isNaN(v)) return;
      const label = valueLabel(def, v);
      values[def.name] = {
        value: v,
        ...(label !== undefined ? { label } : {}),
        ...(def.unit ? { unit: def.unit } : {}),
        at: Math.round((this.valueAt[i] ?? 0) - this.skewMs),
      };
    });
    return {
      source: this.opts.source ? { name: this.opts.source.name, ...this.opts.source.status() } : null,
      health: this.health ? { state: this.health.state, detail: this.health.detail } : null,
      frames: this.frames,
      decodedFrames: this.decodedFrames,
      framesPerSecond: Math.round(this.rate.perSecond),
      values,
      rules: this.rules?.status() ?? [],
      lostSignals: this.rules?.lostSignals() ?? [],
    };
  }
}

export function createVehicleBus(opts: VehicleBusOptions): VehicleBus {
  return new VehicleBus(opts);
}
