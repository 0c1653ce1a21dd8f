import type { Decision } from "../core/activation.js";
import { isoTime } from "../core/clock.js";
import type { Alert, BodycamConfirmation, EventBusEvents, EventFinalized } from "../core/event-bus.js";

/** One line of the page's "recent events" list. */
export interface Activity {
  /** UTC ISO-8601 with ms. */
  at: string;
  kind: "start" | "join" | "mark" | "stop" | "stop-refused" | "end" | "saved" | "bodycam" | "alert";
  text: string;
  eventId: string | null;
}

type BusSubscribe = <K extends keyof EventBusEvents>(
  event: K,
  listener: (...args: EventBusEvents[K]) => void,
) => () => void;

/**
 * What the status page learns from the bus: recent activity, the reason the current event started, and
 * which body cams confirmed it. Bounded (last `limit` lines); `onChange` fires after every update so the
 * page can push at once instead of waiting for its next tick.
 */
export class ActivityLog {
  private readonly lines: Activity[] = [];
  private eventId: string | null = null;
  private reason: string | null = null;
  private readonly confirmed = new Map<string, number | null>();

  constructor(
    private readonly limit = 20,
    private readonly onChange: () => void = () => {},
  ) {}

  get recent(): readonly Activity[] {
    return this.lines;
  }

  /** The reason of the decision that started or resumed the event `eventId` (null if not seen). */
  reasonFor(eventId: string | null): string | null {
    return eventId !== null && eventId === this.eventId ? this.reason : null;
  }

  /** Confirmations seen for `eventId`: body-cam id → latency in ms (null = did not confirm in time). */
  confirmationsFor(eventId: string | null): ReadonlyMap<string, number | null> {
    return eventId !== null && eventId === this.eventId ? this.confirmed : new Map();
  }

  subscribe(on: BusSubscribe): () => void {
    const offs = [
      on("decision", (d) => this.decision(d)),
      on("bodycam-confirmation", (c) => this.confirmation(c)),
      on("alert", (a) => this.alert(a)),
      on("event-finalized", (f) => this.finalized(f)),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  decision(d: Decision): void {
    switch (d.type) {
      case "event-start":
      case "event-resume":
        this.follow(d.eventId, d.reason);
        this.add(
          d.at,
          "start",
          d.type === "event-start" ? `Recording started: ${d.reason}` : `Recording resumed: ${d.reason}`,
          d.eventId,
        );
        break;
      case "event-join":
        if (this.eventId !== d.eventId) this.follow(d.eventId, d.reason);
        this.add(
          d.at,
          "join",
          d.continued ? `Recording continued: ${d.reason}` : `Joined: ${d.reason}`,
          d.eventId,
        );
        break;
      case "mark":
        this.add(d.at, "mark", `Marked: ${d.reason}`, d.eventId);
        break;
      case "stop-requested":
        this.add(d.at, "stop", `Stopping (post-roll ${d.postRollSeconds} s): ${d.reason}`, d.eventId);
        break;
      case "stop-refused":
        this.add(d.at, "stop-refused", `Stop refused: ${d.reason}`, d.eventId);
        break;
      case "event-end":
        this.add(d.at, "end", `Recording ended: ${d.reason}`, d.eventId);
        break;
      case "rollover":
      case "ignored":
        break;
    }
  }

  confirmation(c: BodycamConfirmation): void {
    if (c.eventId !== this.eventId) this.follow(c.eventId, null);
    this.confirmed.set(c.bodycamId, c.confirmedAt === null ? null : (c.latencyMs ?? 0));
    const text =
      c.confirmedAt === null
        ? `Body cam ${c.bodycamId} did not confirm`
        : `Body cam ${c.bodycamId} confirmed${c.latencyMs === null ? "" : ` in ${Math.round(c.latencyMs)} ms`}`;
    this.add(c.confirmedAt ?? c.commandedAt, "bodycam", text, c.eventId);
  }

  alert(a: Alert): void {
    this.add(a.at, "alert", `${a.severity.toUpperCase()} ${a.code}: ${a.message}`, a.eventId ?? null);
  }

  finalized(f: EventFinalized): void {
    this.add(f.at, "saved", `Event saved: ${f.eventId}`, f.eventId);
  }

  private follow(eventId: string, reason: string | null): void {
    this.eventId = eventId;
    this.reason = reason;
    this.confirmed.clear();
  }

  private add(at: number, kind: Activity["kind"], text: string, eventId: string | null): void {
    this.lines.push({ at: isoTime(at), kind, text, eventId });
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
    this.onChange();
  }
}
