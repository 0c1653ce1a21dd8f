import { EventEmitter } from "node:events";
import { type Clock, isoTime, systemClock, type TimerHandle } from "../core/clock.js";
import { type MqttLink, type MqttLinkOptions, ReconnectingMqttLink } from "./mqtt-link.js";
import { decodePayload } from "./payload-decoder.js";
import { type ActivationPayload, activationPayloadSchema, type BodycamStatusPayload } from "./payloads.js";
import { topicsFor } from "./topics.js";

/**
 * The reference body cam: the device side of MQTT protocol v1, for the demo, the tests, the bench and
 * vendors. It publishes its status (retained, last will offline), follows the car's retained
 * activation (records while `active` is true and confirms with its status), and tells the car when
 * its officer starts or stops it by hand. Recording is simulated here; `BodycamClips`
 * (bodycam-clips.ts) makes it real: ffmpeg clips while it records, docked to the station.
 */
export interface ReferenceBodycamOptions {
  id: string;
  vehicleId: string;
  url: string;
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  protocolVersion?: 4 | 5;
  clock?: Clock;
  /** Starting battery percent (simulated drain: 0.5 %/min recording, 0.1 %/min idle). */
  battery?: number;
  /** A broken cam for tests: online, but ignores the car's activations. */
  ignoreActivations?: boolean;
  /** Status heartbeat period. */
  statusIntervalMs?: number;
}

export interface ReferenceBodycamEvents {
  /** A valid R/activation arrived (`receivedAt` = performance.now(), for latency measurements). */
  activation: [ActivationPayload, number];
  recording: [{ recording: boolean; eventId: string | null; why: string }];
  connect: [];
  invalid: [string];
}

export class ReferenceBodycam extends EventEmitter<ReferenceBodycamEvents> {
  private readonly link: MqttLink;
  private readonly clock: Clock;
  private readonly topics;
  private isRecording = false;
  private currentEventId: string | null = null;
  private batteryPct: number;
  private lastDrainAt: number;
  private heartbeat: TimerHandle | undefined;
  private readonly lastSeq = new Map<string, number>();
  /** Answers to activations still waiting out their millisecond; cleared on stop. */
  private readonly answers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly opts: ReferenceBodycamOptions,
    connect: (o: MqttLinkOptions) => MqttLink = (o) => new ReconnectingMqttLink(o),
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.topics = topicsFor(opts.vehicleId);
    this.batteryPct = opts.battery ?? 100;
    this.lastDrainAt = this.clock.monotonic();
    this.link = connect({
      url: opts.url,
      // The client id is the identity: the broker refuses (embedded) or replaces (Mosquitto) any other.
      clientId: opts.username ?? opts.id,
      // With a client certificate the broker takes the identity from its CN.
      username: opts.username ?? (opts.cert && !opts.password ? undefined : opts.id),
      password: opts.password,
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      protocolVersion: opts.protocolVersion ?? 4,
      sessionExpirySeconds: 3600,
      keepaliveSeconds: 10,
      will: {
        topic: this.topics.bodycamStatus(opts.id),
        payload: JSON.stringify({ v: 1, online: false, recording: false, eventId: null }),
        retain: true,
      },
      subscriptions: [this.topics.activation, this.topics.status],
      reconnectMinMs: 100,
      reconnectMaxMs: 2000,
      clock: this.clock,
    });
    this.link.on("connect", () => {
      this.publishStatus();
      this.emit("connect");
    });
    this.link.on("message", (m) => {
      const receivedAt = performance.now();
      if (m.topic !== this.topics.activation) return;
      // Handled on the next turn (in order), and answered a millisecond later: several simulated cams in one
      // process then each read the broker's fan-out when it arrives, not after the others have answered it
      // (each answer is a status publish, a socket write that held the next cam's read back by ~0.1 ms).
      // A real body cam takes far longer than that to start recording.
      setImmediate(() => this.onActivation(m.payload, receivedAt));
    });
  }

  private onActivation(payload: Buffer, receivedAt: number): void {
    const d = decodePayload(activationPayloadSchema, payload, 16_384);
    if (!d.ok) {
      this.emit("invalid", `${d.failure}: ${d.detail}`);
      return;
    }
    this.emit("activation", d.value, receivedAt);
    if (this.opts.ignoreActivations) return;
    const answer = setTimeout(() => {
      this.answers.delete(answer);
      this.follow(d.value);
    }, 1);
    this.answers.add(answer);
  }

  get id(): string {
    return this.opts.id;
  }

  get recording(): boolean {
    return this.isRecording;
  }

  get eventId(): string | null {
    return this.currentEventId;
  }

  get connected(): boolean {
    return this.link.connected;
  }

  get battery(): number {
    return Math.round(this.batteryPct * 10) / 10;
  }

  /** Connect; resolves at the first CONNACK (rejects after `timeoutMs`). */
  async start(timeoutMs = 10_000): Promise<void> {
    const up = new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`body cam ${this.opts.id}: no broker within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.once("connect", () => {
        clearTimeout(t);
        resolve();
      });
    });
    this.link.start();
    this.heartbeat = this.clock.setInterval(() => this.publishStatus(), this.opts.statusIntervalMs ?? 60_000);
    await up;
  }

  /** Go offline cleanly (status online:false, retained). */
  async stop(): Promise<void> {
    this.clock.clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const answer of this.answers) clearTimeout(answer);
    this.answers.clear();
    await this.link.close({
      topic: this.topics.bodycamStatus(this.opts.id),
      payload: JSON.stringify(this.offlineStatus()),
      retain: true,
    });
  }

  /** The officer pressed record on the body cam: record, and tell the car. */
  pressStart(): void {
    if (this.isRecording) return;
    this.setRecording(true, null, "started by the officer");
    this.link.publish(
      this.topics.bodycamActivation(this.opts.id),
      JSON.stringify({ v: 1, active: true, at: isoTime(this.clock.now()) }),
      { retain: false },
    );
  }

  /** The officer stopped the body cam (does not stop the car or other cams). */
  pressStop(): void {
    if (!this.isRecording) return;
    this.setRecording(false, null, "stopped by the officer");
    this.link.publish(
      this.topics.bodycamActivation(this.opts.id),
      JSON.stringify({ v: 1, active: false, at: isoTime(this.clock.now()) }),
      { retain: false },
    );
  }

  private follow(a: ActivationPayload): void {
    // Within one event, `seq` orders the car's activations: never act on one older than the last.
    const last = this.lastSeq.get(a.eventId);
    if (last !== undefined && a.seq < last) return;
    this.lastSeq.set(a.eventId, a.seq);
    if (this.lastSeq.size > 16) this.lastSeq.delete(this.lastSeq.keys().next().value ?? "");
    if (a.active) {
      if (this.isRecording && this.currentEventId === a.eventId) {
        this.publishStatus(); // a re-sent activation: confirm again
        return;
      }
      const own = a.origin.kind === "bodycam" && a.origin.id === this.opts.id;
      const why =
        own && this.isRecording
          ? "own start confirmed by the car"
          : `car activation (${a.origin.kind}:${a.origin.id})`;
      this.setRecording(true, a.eventId, why);
    } else if (this.isRecording && this.currentEventId === a.eventId) {
      this.setRecording(false, null, "car event ended");
    }
  }

  private setRecording(recording: boolean, eventId: string | null, why: string): void {
    this.drain();
    this.isRecording = recording;
    this.currentEventId = eventId;
    this.publishStatus();
    this.emit("recording", { recording, eventId, why });
  }

  private drain(): void {
    const now = this.clock.monotonic();
    const minutes = (now - this.lastDrainAt) / 60_000;
    this.lastDrainAt = now;
    this.batteryPct = Math.max(0, this.batteryPct - minutes * (this.isRecording ? 0.5 : 0.1));
  }

  private offlineStatus(): BodycamStatusPayload {
    return {
      v: 1,
      online: false,
      recording: false,
      eventId: null,
      battery: this.battery,
      at: isoTime(this.clock.now()),
    };
  }

  private publishStatus(): void {
    this.drain();
    const status: BodycamStatusPayload = {
      v: 1,
      online: true,
      recording: this.isRecording,
      eventId: this.currentEventId,
      battery: this.battery,
      at: isoTime(this.clock.now()),
    };
    this.link.publish(this.topics.bodycamStatus(this.opts.id), JSON.stringify(status), { retain: true });
  }
}
