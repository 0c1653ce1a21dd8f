import { EventEmitter } from "node:events";
import type { LinkEvents, MqttLink, MqttLinkOptions, PublishOptions } from "../../src/bodycam/mqtt-link.js";

export interface FakePublish {
  topic: string;
  payload: string;
  retain: boolean;
}

/**
 * An in-memory MqttLink for unit tests: the test decides when the broker is up, what arrives and
 * when PUBACKs come back (`autoAck`, or `ackAll()`).
 */
export class FakeMqttLink extends EventEmitter<LinkEvents> implements MqttLink {
  readonly published: FakePublish[] = [];
  private readonly unacked: (() => void)[] = [];
  private up = false;
  started = false;
  closed = false;
  autoAck = true;

  constructor(readonly options?: MqttLinkOptions) {
    super();
  }

  get connected(): boolean {
    return this.up;
  }

  start(): void {
    this.started = true;
  }

  /** The broker accepted the connection. */
  goUp(sessionPresent = false): void {
    this.up = true;
    this.emit("connect", { sessionPresent });
  }

  /** The connection was lost: PUBACKs of in-flight messages never arrive. */
  goDown(reason = "test: broker gone"): void {
    this.up = false;
    this.unacked.length = 0;
    this.emit("disconnect", { reason });
  }

  deliver(topic: string, payload: string | Buffer | object, retain = false): void {
    const buf =
      typeof payload === "string" || Buffer.isBuffer(payload)
        ? Buffer.from(payload)
        : Buffer.from(JSON.stringify(payload));
    this.emit("message", { topic, payload: buf, retain, dup: false });
  }

  ackAll(): void {
    for (const ack of this.unacked.splice(0)) ack();
  }

  publish(
    topic: string,
    payload: string | Buffer,
    opts: PublishOptions,
    done?: (err?: Error) => void,
  ): boolean {
    if (!this.up) return false;
    this.published.push({ topic, payload: payload.toString(), retain: opts.retain });
    if (this.autoAck) done?.();
    else if (done) this.unacked.push(() => done());
    return true;
  }

  /** Published payloads on a topic, parsed. */
  sent(topic: string): unknown[] {
    return this.published.filter((p) => p.topic === topic).map((p) => JSON.parse(p.payload) as unknown);
  }

  async close(last?: { topic: string; payload: string; retain: boolean }): Promise<void> {
    if (last && this.up) this.published.push({ ...last });
    this.up = false;
    this.closed = true;
  }
}
