import { join } from "node:path";
import type { Decision } from "../core/activation.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { Alert, DecisionTiming, EventBus } from "../core/event-bus.js";
import type { HealthState } from "../core/health.js";
import type { Logger } from "../core/logger.js";
import { stageTrace } from "../core/stage-trace.js";
import type { Origin } from "../core/trigger.js";
import { ActivationLatency } from "./activation-latency.js";
import { BodycamAlertRules } from "./bodycam-alert-rules.js";
import { BodycamRegistry } from "./bodycam-registry.js";
import type { BodycamSyncStatus } from "./bodycam-sync-status.js";
import { BodycamTriggers } from "./bodycam-triggers.js";
import { CarStatusPublisher } from "./car-status-publisher.js";
import type { BodycamConfig, MqttConfig } from "./config.js";
import { ConfirmationTracker } from "./confirmation.js";
import { OFFLINE_STATUS, openDaemonConnection } from "./daemon-connection.js";
import { DurableDelivery } from "./delivery.js";
import type { EmbeddedBroker } from "./embedded-broker.js";
import { FlapGate } from "./flap-guard.js";
import { type InboundContext, readInbound } from "./inbound.js";
import { type MqttLink, type MqttLinkOptions, ReconnectingMqttLink } from "./mqtt-link.js";
import { announceOffload } from "./offload-announcements.js";
import { activationPayload, alertPayload } from "./outbound-payloads.js";
import { type Outbox, openOutbox } from "./outbox.js";
import { zeroDecodeFailures } from "./payload-decoder.js";
import type { ActivationPayload, BodycamStatusPayload } from "./payloads.js";
import { type Topics, topicsFor } from "./topics.js";

export interface BodycamSyncOptions {
  config: { mqtt: MqttConfig; bodycams: BodycamConfig };
  vehicle: { id: string };
  dataDir: string;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Build the broker connection (tests inject one; default: a reconnecting MQTT.js link). */
  connect?: (opts: MqttLinkOptions) => MqttLink;
}

/** How long after the broker's retained activation arrives the engine may still resume its event. */
const STALE_ACTIVATION_GRACE_MS = 10_000;

/**
 * Body-cam sync, the daemon side of MQTT protocol v1: publishes R/status, R/activation and R/alert
 * (activations and alerts through the durable outbox), follows paired body cams, turns a body cam's
 * own start into a trigger, and confirms every activation. MQTT never blocks recording: nothing here
 * waits on the broker, and decisions are taken by the activation engine whether or not it is up.
 */
export class BodycamSync implements Component {
  readonly name = "bodycam-sync";
  private readonly log: Logger;
  private readonly topics: Topics;
  private readonly cams: BodycamRegistry;
  private readonly tracker: ConfirmationTracker;
  private readonly latency = new ActivationLatency();
  private readonly inbound: InboundContext;
  private outbox: Outbox | null = null;
  private delivery: DurableDelivery | null = null;
  private outboxFailing = false;
  private link: MqttLink | null = null;
  private broker: EmbeddedBroker | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly carStatus: CarStatusPublisher;
  private readonly alertRules: BodycamAlertRules;
  private staleCheck: TimerHandle | undefined;
  private offlineCheck: TimerHandle | undefined;
  private state: "idle" | "active" | "post-roll" = "idle";
  /** A flapping cam's trigger edges, bounded (src/bodycam/flap-guard.ts). */
  private readonly flapGate: FlapGate;
  private current: ActivationPayload | null = null;
  private readonly triggers = new BodycamTriggers();
  private readonly dropped = zeroDecodeFailures();
  private readonly counters = { echoes: 0, foreign: 0, unpaired: 0, received: 0 };

  constructor(private readonly opts: BodycamSyncOptions) {
    this.log = opts.logger.child({ component: "bodycam-sync" });
    this.topics = topicsFor(opts.vehicle.id);
    this.cams = new BodycamRegistry(opts.config.bodycams.paired.map((c) => c.id));
    this.carStatus = new CarStatusPublisher({
      topic: this.topics.status,
      clock: opts.clock,
      link: () => this.link,
      car: () => ({
        state: this.state,
        eventId: this.state === "idle" ? null : (this.current?.eventId ?? null),
        bodycams: this.cams.summaries((id) => this.tracker.isConfirmed(id)),
        droppedPayloads: Object.values(this.dropped).reduce((a, b) => a + b, 0),
        latency: this.latency.summary(),
      }),
    });
    this.alertRules = new BodycamAlertRules({
      lowBatteryPercent: opts.config.bodycams.lowBatteryPercent,
      alert: (code, severity, message, device) => this.alert(code, severity, message, device),
      log: this.log,
    });
    this.flapGate = new FlapGate({
      clock: opts.clock,
      carState: () => this.state,
      emit: (t) => opts.bus.emit("trigger", t),
      alert: (message, device) => this.alert("bodycam-flapping", "warning", message, device),
    });
    this.inbound = {
      topics: this.topics,
      maxPayloadBytes: opts.config.mqtt.maxPayloadBytes,
      isPaired: (id) => this.cams.isPaired(id),
      isOwnActivation: (text) => this.delivery?.isOwn(text) ?? false,
    };
    this.tracker = new ConfirmationTracker({
      clock: opts.clock,
      timeoutMs: opts.config.bodycams.confirmTimeoutMs,
      maxResends: opts.config.bodycams.maxResends,
      sink: {
        confirmed: (c, late) => {
          if (c.latencyMs !== null && !late) this.latency.confirmed(c.latencyMs);
          this.log.info({ ...c, late }, "body cam confirmed the activation");
          opts.bus.emit("bodycam-confirmation", c);
          this.carStatus.schedule();
        },
        unconfirmed: (c) => {
          opts.bus.emit("bodycam-confirmation", c);
          this.alert(
            "bodycam-unconfirmed",
            "critical",
            `body cam ${c.bodycamId} did not confirm recording event ${c.eventId} within ${opts.config.bodycams.confirmTimeoutMs} ms`,
            c.bodycamId,
          );
        },
        resend: (eventId, ids) => {
          if (this.current?.eventId !== eventId || !this.current.active) return;
          this.log.warn({ eventId, bodycams: ids }, "re-sending the activation to unconfirmed body cams");
          this.send(this.topics.activation, JSON.stringify(this.current), true);
        },
      },
    });
  }

  async start(): Promise<void> {
    const { mqtt } = this.opts.config;
    this.outbox = openOutbox(join(this.opts.dataDir, "mqtt", "outbox.jsonl"), this.log);
    if (this.outbox.openError) this.outboxUnwritable(this.outbox.openError);
    this.delivery = new DurableDelivery(this.outbox, (err) => this.outboxUnwritable(err));
    const b = this.opts.bus;
    // First in line: the body cams hear of an activation before slower listeners (audit fsync, recorder I/O) run.
    this.unsubscribe.push(b.on("decision", (d, timing) => this.onDecision(d, timing), { first: true }));
    this.unsubscribe.push(b.on("alert", (a) => this.onAlert(a)));
    this.unsubscribe.push(b.on("health", (h) => this.carStatus.report(h)));
    this.unsubscribe.push(...announceOffload(b, this.topics, this.carStatus, this.delivery));

    const conn = await openDaemonConnection({
      mqtt,
      bodycams: this.opts.config.bodycams,
      vehicleId: this.opts.vehicle.id,
      clock: this.opts.clock,
      logger: this.opts.logger,
    });
    this.broker = conn.broker;
    const linkOptions = conn.linkOptions;
    const link = (this.opts.connect ?? ((o) => new ReconnectingMqttLink(o)))(linkOptions);
    this.link = link;
    this.delivery.attach(link);
    link.on("connect", ({ sessionPresent }) => this.onConnect(sessionPresent));
    link.on("disconnect", ({ reason }) => {
      this.log.warn({ reason }, "MQTT broker connection lost; activations wait in the outbox");
      this.reportHealth("down", reason);
    });
    link.on("message", (m) => this.onMessage(m.topic, m.payload, m.retain));
    this.reportHealth("down", "connecting");
    link.start();
    this.carStatus.start(mqtt.statusIntervalSeconds * 1000);
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    this.carStatus.stop();
    this.opts.clock.clearTimeout(this.staleCheck);
    this.opts.clock.clearTimeout(this.offlineCheck);
    this.staleCheck = this.offlineCheck = undefined;
    this.tracker.end();
    this.flapGate.stop();
    await this.link?.close({ topic: this.topics.status, payload: OFFLINE_STATUS, retain: true });
    this.link = null;
    await this.broker?.close();
    this.broker = null;
    this.outbox?.close();
    this.outbox = null;
    this.delivery = null;
  }

  status(): BodycamSyncStatus {
    return {
      connected: this.link?.connected ?? false,
      embeddedBroker: this.broker ? this.broker.url : null,
      outboxPending: this.outbox?.size ?? 0,
      state: this.state,
      eventId: this.current?.active ? this.current.eventId : null,
      bodycams: this.cams.summaries((id) => this.tracker.isConfirmed(id)),
      confirmations: this.tracker.confirmations(),
      droppedPayloads: { ...this.dropped },
      latency: this.latency.summary(),
      received: { ...this.counters, duplicates: this.triggers.duplicates },
    };
  }

  private outboxUnwritable(err: Error): void {
    this.log.error({ err: err.message }, "MQTT outbox not writable: publishing without durability");
    if (this.outboxFailing) return;
    this.outboxFailing = true;
    this.alert(
      "mqtt-outbox-failed",
      "warning",
      `MQTT outbox not writable (${err.message}): messages are sent but not kept for replay`,
    );
  }

  private reportHealth(state: HealthState, detail?: string): void {
    this.opts.bus.emit("health", { component: "mqtt", state, detail, at: this.opts.clock.now() });
  }

  private alert(code: string, severity: Alert["severity"], message: string, device?: string): void {
    const eventId = this.current?.active ? this.current.eventId : undefined;
    this.opts.bus.emit("alert", { code, severity, message, eventId, device, at: this.opts.clock.now() });
  }

  // ---- outbound -------------------------------------------------------------------------------

  /** Through the outbox: handed to the broker if connected, and appended to the outbox (durable) in the same turn. */
  private send(topic: string, payload: string, retain: boolean): void {
    this.delivery?.send(topic, payload, retain);
  }

  private onConnect(sessionPresent: boolean): void {
    this.log.info({ sessionPresent, pending: this.delivery?.pending ?? 0 }, "MQTT broker connected");
    this.reportHealth("ok");
    this.carStatus.publish();
    const pending = this.delivery?.replay() ?? [];
    // The broker may have lost retained state (restart without persistence): publish the current one
    // again unless the replay above already ends with it.
    const last = [...pending].reverse().find((e) => e.topic === this.topics.activation);
    const current = this.current ? JSON.stringify(this.current) : null;
    if (current && last?.payload !== current)
      this.link?.publish(this.topics.activation, current, { retain: true });
  }

  private onDecision(d: Decision, timing?: DecisionTiming): void {
    switch (d.type) {
      case "event-start":
      case "event-join":
      case "event-resume": {
        this.state = d.type === "event-resume" && d.state === "post-roll" ? "post-roll" : "active";
        this.publishActivation(d.eventId, true, d.origin, d.reason, d.at, d.seq);
        if (timing) this.latency.published(timing.inputMono, this.opts.clock.monotonic());
        this.tracker.activate(d.eventId, this.cams.entries());
        if (d.type !== "event-join") this.scheduleOfflineCheck(d.eventId);
        break;
      }
      case "stop-requested":
        this.state = "post-roll";
        break;
      case "event-end": {
        const origin: Origin = this.current?.origin ?? { kind: "cli", id: "control" };
        this.publishActivation(d.eventId, false, origin, d.reason, d.at, d.seq);
        this.tracker.end();
        this.opts.clock.clearTimeout(this.offlineCheck);
        this.offlineCheck = undefined;
        this.state = "idle";
        break;
      }
      default:
        return;
    }
    this.carStatus.schedule();
  }

  /** Paired cams still offline when the confirmation time is up cannot record the event: say so. */
  private scheduleOfflineCheck(eventId: string): void {
    this.opts.clock.clearTimeout(this.offlineCheck);
    this.offlineCheck = this.opts.clock.setTimeout(() => {
      this.offlineCheck = undefined;
      if (this.current?.eventId !== eventId || !this.current.active) return;
      this.alertRules.offlineForEvent(eventId, this.cams.entries());
    }, this.opts.config.bodycams.confirmTimeoutMs);
  }

  private publishActivation(
    eventId: string,
    active: boolean,
    origin: Origin,
    reason: string,
    at: number,
    seq: number,
  ): void {
    this.current = activationPayload({ eventId, active, origin, reason, at, seq });
    this.send(this.topics.activation, JSON.stringify(this.current), true); // marks `published`
    const trace = stageTrace.take();
    if (trace) this.log.info({ eventId, active, ...trace }, "trigger path stages");
  }

  private onAlert(a: Alert): void {
    this.send(this.topics.alert, JSON.stringify(alertPayload(a)), false);
  }

  // ---- inbound --------------------------------------------------------------------------------

  private onMessage(topic: string, payload: Buffer, retain: boolean): void {
    this.counters.received++;
    const m = readInbound(this.inbound, topic, payload, retain);
    switch (m.kind) {
      case "bodycam-status":
        this.onBodycamStatus(m.bodycamId, m.status);
        return;
      case "bodycam-activation":
        this.onBodycamActivation(m.bodycamId, m.activation.active, m.activation.at);
        return;
      case "echo":
        this.counters.echoes++;
        return;
      case "retained-activation":
        this.counters.echoes++;
        this.checkStaleActivation(m.activation);
        return;
      case "foreign-activation":
        this.counters.foreign++;
        this.alert(
          "activation-foreign",
          "warning",
          `another client published an activation for ${m.activation.eventId}`,
        );
        return;
      case "unpaired":
        this.onUnpaired(m.bodycamId, topic);
        return;
      case "invalid":
        this.dropped[m.failure]++;
        this.log.warn(
          { topic, failure: m.failure, detail: m.detail.slice(0, 200) },
          "dropped an invalid MQTT payload",
        );
        return;
      case "ignored":
        return;
    }
  }

  /**
   * The broker still holds `active: true` for an event, and this daemon has published no activation
   * since it started: once the activation engine has had time to resume an open event, an event
   * still unknown here is not open in the car any more (its state was lost) — end it for the cams.
   */
  private checkStaleActivation(a: ActivationPayload): void {
    if (!a.active || this.current !== null || this.staleCheck) return;
    this.staleCheck = this.opts.clock.setTimeout(() => {
      this.staleCheck = undefined;
      if (this.current !== null) return;
      this.log.warn(
        { eventId: a.eventId },
        "the broker's retained activation is for an event not open in the car: ending it",
      );
      const reason = `event ${a.eventId} is not open in the car (its state was lost); ending it for the body cams`;
      this.publishActivation(a.eventId, false, a.origin, reason, this.opts.clock.now(), a.seq);
    }, STALE_ACTIVATION_GRACE_MS);
  }

  private onUnpaired(id: string, topic: string): void {
    this.counters.unpaired++;
    this.alertRules.unpaired(id, topic, this.opts.clock.now());
  }

  private onBodycamStatus(id: string, status: BodycamStatusPayload): void {
    const prev = this.cams.apply(id, status, this.opts.clock.now());
    const cam = this.cams.get(id);
    if (!cam) return;
    if (prev?.online && !cam.online && this.current?.active) {
      this.alertRules.wentOffline(id, this.current.eventId);
    }
    this.tracker.report(id, cam);
    this.alertRules.battery(id, cam.battery);
    const cleared = this.triggers.onStatus(id, cam.online, cam.recording, this.opts.clock.now());
    if (cleared) this.flapGate.pass(cleared);
    this.carStatus.schedule();
  }

  private onBodycamActivation(id: string, active: boolean, at: string): void {
    const t = this.triggers.onActivation(id, active, at, this.opts.clock.now());
    if (t?.active) this.log.info({ bodycam: id }, "body cam started by its officer: triggering the car");
    if (t) this.flapGate.pass(t);
  }
}

export function createBodycamSync(opts: BodycamSyncOptions): BodycamSync {
  return new BodycamSync(opts);
}
