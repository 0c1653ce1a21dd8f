import { type Clock, isoTime, type TimerHandle } from "../core/clock.js";
import type { HealthReport, OffloadBacklog } from "../core/event-bus.js";
import { rollupHealth } from "../core/health.js";
import type { LatencySummary } from "../core/latency-window.js";
import type { MqttLink } from "./mqtt-link.js";
import { encodePayload } from "./payload-decoder.js";
import type { Backlog, BodycamSummary, StatusPayload } from "./payloads.js";

const STATUS_COALESCE_MS = 20;

/** What R/status says about the event and the body cams, from body-cam sync's own state. */
export interface CarState {
  state: "idle" | "active" | "post-roll";
  eventId: string | null;
  bodycams: BodycamSummary[];
  droppedPayloads: number;
  /** The car's own trigger → publish → confirmation latencies. */
  latency: CarLatency;
}

export interface CarLatency {
  triggerToPublishMs: LatencySummary;
  publishToConfirmationMs: LatencySummary;
}

export interface CarStatusPublisherOptions {
  topic: string;
  clock: Clock;
  link: () => MqttLink | null;
  car: () => CarState;
}

/**
 * R/status (retained): published on every change (coalesced over a few ms), every
 * `statusIntervalSeconds` and after every reconnect, with the recorder's and the CAN bus's health
 * rolled up from the health reports on the event bus.
 */
export class CarStatusPublisher {
  /** The latest health report of every component, rolled up per area. */
  private readonly health = new Map<string, HealthReport>();
  private timer: TimerHandle | undefined;
  private soon: TimerHandle | undefined;
  /** The offload queue (absent until offload reports one: disabled offload sends no backlog). */
  private backlog: OffloadBacklog | undefined;

  constructor(private readonly o: CarStatusPublisherOptions) {}

  start(intervalMs: number): void {
    this.timer = this.o.clock.setInterval(() => this.publish(), intervalMs);
  }

  stop(): void {
    this.o.clock.clearInterval(this.timer);
    this.o.clock.clearTimeout(this.soon);
    this.timer = this.soon = undefined;
  }

  /** A component's health changed (the MQTT link's own is not part of R/status). */
  report(h: HealthReport): void {
    if (h.component === "mqtt") return;
    this.health.set(h.component, h);
    this.schedule();
  }

  /** The offload queue changed (bus `offload-backlog`). */
  offloadBacklog(b: OffloadBacklog): void {
    this.backlog = b;
    this.schedule();
  }

  schedule(): void {
    if (this.soon) return;
    this.soon = this.o.clock.setTimeout(() => {
      this.soon = undefined;
      this.publish();
    }, STATUS_COALESCE_MS);
  }

  publish(): void {
    this.o.link()?.publish(this.o.topic, encodePayload(this.payload()), { retain: true });
  }

  private payload(): StatusPayload {
    const car = this.o.car();
    const canBus = rollupHealth(this.health.values(), "can");
    return {
      v: 1,
      online: true,
      state: car.state,
      eventId: car.eventId,
      recorder: rollupHealth(this.health.values(), "recorder"),
      canBus,
      bus: canBus,
      bodycams: car.bodycams,
      droppedPayloads: car.droppedPayloads,
      latency: car.latency,
      ...(this.backlog ? { backlog: backlogPayload(this.backlog) } : {}),
      at: isoTime(this.o.clock.now()),
    };
  }
}

function backlogPayload(b: OffloadBacklog): Backlog {
  return {
    events: b.events,
    oldestStartedAt: b.oldestStartedAt === null ? null : isoTime(b.oldestStartedAt),
  };
}
