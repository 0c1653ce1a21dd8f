import { stageTrace } from "../core/stage-trace.js";
import type { MqttLink } from "./mqtt-link.js";
import type { Outbox, OutboxEntry } from "./outbox.js";

const RECENT_RETAINED = 64;

/**
 * At-least-once delivery of the daemon's activations and alerts: each message is handed to the broker
 * if the link is up, appended to the durable outbox in the same synchronous turn, and removed from the
 * outbox when the broker acknowledges it. `replay()` after every (re)connect sends what is still pending,
 * in order. Also remembers the retained payloads it sent recently, to recognise their echoes.
 *
 * The broker gets the message before the outbox's `write(2)` (issue 16: body-cam sync publishes before
 * anything else runs; ~0.03 ms on the trigger path). A PUBACK can only be read on a later turn, after the
 * entry exists. A daemon killed in the microseconds between the two calls has already written the packet to
 * the socket, so the broker has it and no replay is needed; only a socket backed up by a stalled broker (the
 * packet still queued in the process) could lose it there.
 */
export class DurableDelivery {
  private link: MqttLink | null = null;
  private readonly recent = new Set<string>();

  constructor(
    private readonly outbox: Outbox,
    /** The outbox could not be written (disk full, I/O error): the message still goes out, undurably. */
    private readonly onOutboxError: (err: Error) => void = () => {},
  ) {}

  attach(link: MqttLink): void {
    this.link = link;
  }

  send(topic: string, payload: string, retain: boolean): void {
    if (retain) this.remember(payload);
    // The entry's id is known only after the append; a link that acknowledged at once (none that talks to a
    // real broker does) is honoured once it is.
    const sent = { id: 0, acked: false };
    this.link?.publish(topic, payload, { retain }, (err) => {
      if (err) return;
      if (sent.id > 0) this.outbox.ack(sent.id);
      else sent.acked = true;
    });
    stageTrace.mark("published");
    try {
      sent.id = this.outbox.put(topic, payload, retain).id;
      if (sent.acked) this.outbox.ack(sent.id);
    } catch (err) {
      this.onOutboxError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Hand every pending entry to the broker, oldest first; returns them. After a restart they were
   * written by the previous process: remembered too, so their echoes are not taken for another
   * client's (a false `activation-foreign` alert).
   */
  replay(): OutboxEntry[] {
    const pending = this.outbox.pending();
    for (const e of pending) {
      if (e.retain) this.remember(e.payload);
      this.deliver(e);
    }
    return pending;
  }

  private remember(payload: string): void {
    this.recent.delete(payload);
    this.recent.add(payload);
    if (this.recent.size > RECENT_RETAINED) this.recent.delete(this.recent.values().next().value ?? "");
  }

  /** A payload this daemon published (retained) recently. */
  isOwn(payload: string): boolean {
    return this.recent.has(payload);
  }

  get pending(): number {
    return this.outbox.size;
  }

  private deliver(e: OutboxEntry): void {
    this.link?.publish(e.topic, e.payload, { retain: e.retain }, (err) => {
      if (!err && e.id > 0) this.outbox.ack(e.id);
    });
  }
}
