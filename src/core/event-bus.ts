import { EventEmitter } from "node:events";
import type { Decision } from "./activation.js";
import type { HealthState } from "./health.js";
import type { Command, Trigger } from "./trigger.js";

/** A component's health, as shown in status and used to gate the systemd watchdog. */
export interface HealthReport {
  /** e.g. "recorder:front", "gpio:lightbar", "can", "gps", "mqtt". */
  component: string;
  state: HealthState;
  detail?: string;
  at: number;
}

export type AlertSeverity = "info" | "warning" | "critical";

/** An alert, published on `R/alert` and written to the audit log. */
export interface Alert {
  code: string;
  severity: AlertSeverity;
  message: string;
  eventId?: string;
  device?: string;
  at: number;
}

/** A decoded vehicle signal value (CAN or GPS), for status and the event timeline. */
export interface SignalValue {
  name: string;
  value: number | string | null;
  unit?: string;
  at: number;
}

export interface GpsFix {
  at: number;
  lat: number;
  lon: number;
  speedKmh: number | null;
  courseDeg: number | null;
  fix: "none" | "2d" | "3d";
  satellites: number | null;
  hdop: number | null;
}

/** One paired body cam's answer (or silence) to an activation. */
export interface BodycamConfirmation {
  eventId: string;
  bodycamId: string;
  commandedAt: number;
  /** null while unconfirmed (timed out). */
  confirmedAt: number | null;
  latencyMs: number | null;
}

/** An event's files and manifest are final on disk (assembled, hashed, manifest written atomically). */
export interface EventFinalized {
  eventId: string;
  /** `{dataDir}/events/{eventId}` */
  dir: string;
  manifestSha256: string;
  at: number;
}

/** An event's current manifest is on the storage server, verified (after its files, or again after a tag). */
export interface EventUploaded {
  eventId: string;
  bucket: string;
  /** The event's prefix in the bucket, with the configured prefix: `{prefix}{vehicleId}/{eventId}/`. */
  key: string;
  /** The configured prefix alone (the station's announcements are relative to it). */
  prefix: string;
  manifestKey: string;
  manifestSha256: string;
  at: number;
}

/** The offload queue: finished events not yet on the storage server (verified). */
export interface OffloadBacklog {
  events: number;
  /** Epoch ms the oldest waiting event started; null when none waits. */
  oldestStartedAt: number | null;
}

/** When the trigger or command behind a decision reached the activation service (monotonic ms). */
export interface DecisionTiming {
  inputMono: number;
}

export interface EventBusEvents {
  trigger: [Trigger];
  command: [Command];
  /** The timing is there for decisions caused by a trigger or command (not for timer-driven ones). */
  decision: [Decision, DecisionTiming?];
  health: [HealthReport];
  alert: [Alert];
  signal: [SignalValue];
  gps: [GpsFix];
  "bodycam-confirmation": [BodycamConfirmation];
  "event-finalized": [EventFinalized];
  "event-uploaded": [EventUploaded];
  "offload-backlog": [OffloadBacklog];
}

/**
 * The daemon's typed event bus. Components publish what happened; they never reach into each other.
 * A listener that throws is reported on `listenerError` and never breaks the emitter or other listeners.
 */
export class EventBus {
  private readonly emitter = new EventEmitter({ captureRejections: false });
  private onListenerError: (err: unknown, event: string) => void = () => {};

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  setListenerErrorHandler(handler: (err: unknown, event: string) => void): void {
    this.onListenerError = handler;
  }

  /**
   * Listen to `event`. Listeners run synchronously in subscription order; `first: true` puts a
   * latency-critical listener ahead of the others (telling the body cams must not wait behind the
   * audit log's fsync or the recorder's hard links).
   */
  on<K extends keyof EventBusEvents>(
    event: K,
    listener: (...args: EventBusEvents[K]) => void,
    opts: { first?: boolean } = {},
  ): () => void {
    const wrapped = (...args: EventBusEvents[K]) => {
      try {
        listener(...args);
      } catch (err) {
        this.onListenerError(err, event);
      }
    };
    if (opts.first) this.emitter.prependListener(event, wrapped as (...a: unknown[]) => void);
    else this.emitter.on(event, wrapped as (...a: unknown[]) => void);
    return () => this.emitter.off(event, wrapped as (...a: unknown[]) => void);
  }

  emit<K extends keyof EventBusEvents>(event: K, ...args: EventBusEvents[K]): void {
    this.emitter.emit(event, ...args);
  }
}
