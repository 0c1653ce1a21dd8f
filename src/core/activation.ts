import type { z } from "zod";
import type { activationConfigSchema } from "./config.js";
import { makeEventId } from "./event-id.js";
import { type Command, isManualOrigin, type Origin, type Trigger } from "./trigger.js";

/**
 * The activation engine: a pure state machine. Triggers and commands in, decisions out.
 * Time comes in with every input (`at`) and through `advance(now)`; the engine never reads a clock,
 * never does I/O, and its whole state can be snapshotted and restored (daemon restart mid-event).
 *
 * Rules:
 * - triggers only start; a trigger during post-roll continues the same event;
 * - by default only a manual action in the car (button, CLI, status page) stops an event;
 *   with `stopOn: triggers-clear` an automatically started event also stops `clearDelaySeconds`
 *   after its last trigger cleared;
 * - an event started (or continued) by hand is never stopped by a remote or automatic source;
 * - every decision carries the reason it was taken.
 */

export type EngineState = "idle" | "active" | "post-roll";

/** The engine's policy: the `activation` config section (core/config.ts), defaults and all. */
export type ActivationPolicy = z.output<typeof activationConfigSchema>;

interface DecisionBase {
  at: number;
  reason: string;
  /** Monotonically increasing over the engine's life (persisted); protocol `seq`. */
  seq: number;
}

export type Decision =
  | (DecisionBase & { type: "event-start"; eventId: string; origin: Origin; preEventSeconds: number })
  /** The daemon restarted while this event was open: keep recording into it. */
  | (DecisionBase & { type: "event-resume"; eventId: string; origin: Origin; state: "active" | "post-roll" })
  /** A trigger joined the running event (or continued it out of post-roll). */
  | (DecisionBase & { type: "event-join"; eventId: string; origin: Origin; continued: boolean })
  | (DecisionBase & { type: "mark"; eventId: string; origin: Origin })
  /** Post-roll begins; the event ends `postRollSeconds` later unless a trigger continues it. */
  | (DecisionBase & {
      type: "stop-requested";
      eventId: string;
      origin: Origin | null;
      postRollSeconds: number;
    })
  | (DecisionBase & { type: "stop-refused"; eventId: string; origin: Origin })
  | (DecisionBase & { type: "event-end"; eventId: string })
  | (DecisionBase & { type: "rollover"; eventId: string; part: number })
  | (DecisionBase & { type: "ignored"; eventId: string | null; origin: Origin });

export type DecisionType = Decision["type"];

type WithoutSeq<T> = T extends unknown ? Omit<T, "seq"> : never;

/** Everything the engine knows, as plain JSON (persisted atomically after every change). */
export interface EngineSnapshot {
  version: 1;
  state: EngineState;
  seq: number;
  event: {
    id: string;
    startedAt: number;
    origin: Origin;
    /** Started or continued by a manual action: only a manual action may stop it. */
    handHeld: boolean;
    part: number;
    partStartedAt: number;
    postRollEndsAt: number | null;
    clearDeadline: number | null;
  } | null;
  /** Triggers currently asserted, keyed `kind:id`, with the time they became active. */
  activeTriggers: Record<string, number>;
}

export interface EngineOptions {
  vehicleId: string;
  /** Random suffix source for event ids (tests inject a deterministic one). */
  idSuffix?: () => string;
}

const triggerKey = (o: Origin) => `${o.kind}:${o.id}`;

export class ActivationEngine {
  private snap: EngineSnapshot;

  constructor(
    private readonly policy: ActivationPolicy,
    private readonly options: EngineOptions,
    restored?: EngineSnapshot,
  ) {
    this.snap = restored
      ? structuredClone(restored)
      : { version: 1, state: "idle", seq: 0, event: null, activeTriggers: {} };
  }

  get state(): EngineState {
    return this.snap.state;
  }

  get eventId(): string | null {
    return this.snap.event?.id ?? null;
  }

  get eventStartedAt(): number | null {
    return this.snap.event?.startedAt ?? null;
  }

  get eventOrigin(): Origin | null {
    return this.snap.event?.origin ?? null;
  }

  get postRollEndsAt(): number | null {
    return this.snap.event?.postRollEndsAt ?? null;
  }

  get activeTriggerKeys(): string[] {
    return Object.keys(this.snap.activeTriggers);
  }

  snapshot(): EngineSnapshot {
    return structuredClone(this.snap);
  }

  /** The live state, for a synchronous read such as serialising it (no copy): never kept nor changed. */
  view(): Readonly<EngineSnapshot> {
    return this.snap;
  }

  /**
   * Called once after construction from a persisted snapshot: forgets trigger levels (sources re-assert
   * them) and reports the open event (if any) so the shell re-attaches the recorder and body-cam sync to
   * it. Deadlines that passed while the daemon was down fire on the next `advance(now)`.
   */
  resume(now: number): Decision[] {
    // Trigger levels are not carried over a restart: every source starts from scratch and re-asserts what
    // is active now (an input reads its line at start). A level kept here would never see its clear, and
    // the source's next start would be dropped as a duplicate — recording nothing.
    this.snap.activeTriggers = {};
    const ev = this.snap.event;
    if (!ev || this.snap.state === "idle") return [];
    return [
      this.decide({
        type: "event-resume",
        eventId: ev.id,
        origin: ev.origin,
        state: this.snap.state === "post-roll" ? "post-roll" : "active",
        at: now,
        reason: `daemon restarted while event ${ev.id} was ${this.snap.state}; continuing the same event`,
      }),
    ];
  }

  /** The earliest time (epoch ms) at which `advance` has something to do, or null. */
  nextDeadline(): number | null {
    const ev = this.snap.event;
    if (!ev) return null;
    const candidates: number[] = [];
    if (ev.postRollEndsAt !== null) candidates.push(ev.postRollEndsAt);
    if (ev.clearDeadline !== null) candidates.push(ev.clearDeadline);
    candidates.push(ev.partStartedAt + this.policy.maxEventMinutes * 60_000);
    return Math.min(...candidates);
  }

  handleTrigger(t: Trigger): Decision[] {
    const key = triggerKey(t.origin);
    const out = this.advance(t.at);
    const ev = this.snap.event;
    if (!t.active) {
      if (!(key in this.snap.activeTriggers)) {
        out.push(this.ignore(t.origin, t.at, `${key} cleared but was not active`));
        return out;
      }
      delete this.snap.activeTriggers[key];
      if (
        ev &&
        this.snap.state === "active" &&
        this.policy.stopOn === "triggers-clear" &&
        !ev.handHeld &&
        this.activeTriggerKeys.length === 0
      ) {
        ev.clearDeadline = t.at + this.policy.clearDelaySeconds * 1000;
      }
      out.push(this.ignore(t.origin, t.at, `${key} cleared (${t.reason}); triggers only start recording`));
      return out;
    }
    if (key in this.snap.activeTriggers) {
      out.push(this.ignore(t.origin, t.at, `${key} already active (duplicate)`));
      return out;
    }
    this.snap.activeTriggers[key] = t.at;
    if (!ev || this.snap.state === "idle") {
      out.push(this.start(t.origin, t.at, t.reason, false));
      return out;
    }
    ev.clearDeadline = null;
    const continued = this.snap.state === "post-roll";
    if (continued) {
      this.snap.state = "active";
      ev.postRollEndsAt = null;
    }
    out.push(
      this.decide({
        type: "event-join",
        eventId: ev.id,
        origin: t.origin,
        continued,
        at: t.at,
        reason: continued ? `${t.reason}; trigger during post-roll continues the event` : t.reason,
      }),
    );
    return out;
  }

  handleCommand(c: Command): Decision[] {
    const out = this.advance(c.at);
    const ev = this.snap.event;
    const manual = isManualOrigin(c.origin);
    switch (c.kind) {
      case "start": {
        if (!ev || this.snap.state === "idle") {
          out.push(this.start(c.origin, c.at, c.reason, manual));
        } else if (this.snap.state === "post-roll") {
          this.snap.state = "active";
          ev.postRollEndsAt = null;
          ev.clearDeadline = null;
          if (manual) ev.handHeld = true;
          out.push(
            this.decide({
              type: "event-join",
              eventId: ev.id,
              origin: c.origin,
              continued: true,
              at: c.at,
              reason: `${c.reason}; start during post-roll continues the event`,
            }),
          );
        } else if (c.origin.kind === "button") {
          out.push(
            this.decide({
              type: "mark",
              eventId: ev.id,
              origin: c.origin,
              at: c.at,
              reason: `${c.reason}; button pressed while recording: bookmark`,
            }),
          );
        } else {
          if (manual) {
            ev.handHeld = true;
            ev.clearDeadline = null;
          }
          out.push(
            this.decide({
              type: "event-join",
              eventId: ev.id,
              origin: c.origin,
              continued: false,
              at: c.at,
              reason: `${c.reason}; already recording`,
            }),
          );
        }
        return out;
      }
      case "mark": {
        if (!ev || this.snap.state === "idle") {
          out.push(this.ignore(c.origin, c.at, "mark while idle: no event to mark"));
        } else {
          out.push(
            this.decide({ type: "mark", eventId: ev.id, origin: c.origin, at: c.at, reason: c.reason }),
          );
        }
        return out;
      }
      case "stop": {
        if (!ev || this.snap.state === "idle") {
          out.push(this.ignore(c.origin, c.at, "stop while idle: nothing is recording"));
        } else if (this.snap.state === "post-roll") {
          out.push(this.ignore(c.origin, c.at, "stop during post-roll: already stopping"));
        } else if (!manual) {
          out.push(
            this.decide({
              type: "stop-refused",
              eventId: ev.id,
              origin: c.origin,
              at: c.at,
              reason: ev.handHeld
                ? `stop from ${c.origin.kind}:${c.origin.id} refused: the recording was started by hand and only a manual action in the car stops it`
                : `stop from ${c.origin.kind}:${c.origin.id} refused: only a manual action in the car stops recording`,
            }),
          );
        } else {
          out.push(this.beginPostRoll(c.origin, c.at, c.reason));
        }
        return out;
      }
    }
  }

  /** Fire every deadline at or before `now`: clear-delay stops, rollovers, post-roll ends. */
  advance(now: number): Decision[] {
    const out: Decision[] = [];
    for (;;) {
      const ev = this.snap.event;
      if (!ev) return out;
      const rolloverAt = ev.partStartedAt + this.policy.maxEventMinutes * 60_000;
      const due = this.nextDeadline();
      if (due === null || due > now) return out;
      if (ev.postRollEndsAt !== null && ev.postRollEndsAt === due) {
        out.push(
          this.decide({
            type: "event-end",
            eventId: ev.id,
            at: due,
            reason: `post-roll of ${this.policy.postRollSeconds}s ended`,
          }),
        );
        this.snap.state = "idle";
        this.snap.event = null;
      } else if (ev.clearDeadline !== null && ev.clearDeadline === due) {
        ev.clearDeadline = null;
        out.push(this.beginPostRoll(null, due, `every trigger clear for ${this.policy.clearDelaySeconds}s`));
      } else {
        ev.part += 1;
        ev.partStartedAt = rolloverAt;
        out.push(
          this.decide({
            type: "rollover",
            eventId: ev.id,
            part: ev.part,
            at: rolloverAt,
            reason: `event reached ${this.policy.maxEventMinutes} min: video continues in part ${ev.part}`,
          }),
        );
      }
    }
  }

  private start(origin: Origin, at: number, reason: string, handHeld: boolean): Decision {
    const id = makeEventId(at, this.options.vehicleId, this.options.idSuffix?.());
    this.snap.state = "active";
    this.snap.event = {
      id,
      startedAt: at,
      origin,
      handHeld,
      part: 1,
      partStartedAt: at,
      postRollEndsAt: null,
      clearDeadline: null,
    };
    return this.decide({
      type: "event-start",
      eventId: id,
      origin,
      preEventSeconds: this.policy.preEventSeconds,
      at,
      reason,
    });
  }

  private beginPostRoll(origin: Origin | null, at: number, reason: string): Decision {
    const ev = this.snap.event;
    if (!ev) throw new Error("beginPostRoll without an event");
    this.snap.state = "post-roll";
    ev.postRollEndsAt = at + this.policy.postRollSeconds * 1000;
    ev.clearDeadline = null;
    return this.decide({
      type: "stop-requested",
      eventId: ev.id,
      origin,
      postRollSeconds: this.policy.postRollSeconds,
      at,
      reason,
    });
  }

  private ignore(origin: Origin, at: number, reason: string): Decision {
    return this.decide({ type: "ignored", eventId: this.snap.event?.id ?? null, origin, at, reason });
  }

  private decide(d: WithoutSeq<Decision>): Decision {
    this.snap.seq += 1;
    return { ...d, seq: this.snap.seq } as Decision;
  }
}
