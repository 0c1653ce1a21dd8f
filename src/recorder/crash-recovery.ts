import type { Clock, TimerHandle } from "../core/clock.js";
import type { AlertSeverity } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { JournalEntry, OpenEntry } from "./event-journal.js";
import { findUnfinishedEvents, type Unfinished, type UnfinishedEvents } from "./event-recovery.js";
import { belongsToEvent } from "./event-window.js";
import type { OpenEvent } from "./open-event.js";
import type { Segment } from "./segment.js";

interface PendingRecovery extends Unfinished {
  timer: TimerHandle | undefined;
}

export interface CrashRecoveryOptions {
  eventsDir: string;
  clock: Clock;
  log: Logger;
  /** How long an event that was open when the daemon stopped waits for the engine to resume it. */
  resumeGraceMs: number;
  /** Rebuild an event from its journal. */
  restore: (dir: string, open: OpenEntry, entries: JournalEntry[]) => OpenEvent;
  /** Make a restored event one of the recorder's open events (it claims segments until it completes). */
  adopt: (ev: OpenEvent) => void;
  ending: (ev: OpenEvent, endAt: number) => void;
  claimFromRing: (ev: OpenEvent, accept: (startedAt: number) => boolean) => number;
  finalize: (ev: OpenEvent, endAt: number, interrupted?: string) => void;
  /** When the daemon (this recorder) started: footage from before it belongs to an interrupted event. */
  startedAt: () => number;
  alert: (code: string, severity: AlertSeverity, message: string, extra: { eventId?: string }) => void;
}

/**
 * After a daemon restart, the events an earlier daemon left without a manifest (event-recovery.ts sorts
 * them): ended ones are completed and assembled, half-assembled ones are assembled again, and open ones
 * wait `resumeGraceMs` for the activation engine to resume them, else are assembled as interrupted.
 */
export class CrashRecovery {
  private readonly recovering = new Map<string, PendingRecovery>();
  private unfinished: UnfinishedEvents | null = null;

  constructor(private readonly o: CrashRecoveryOptions) {}

  /** Before the cameras start: restore the events that ended, hold the open ones for a resume. */
  scan(): void {
    const unfinished = findUnfinishedEvents(this.o.eventsDir);
    this.unfinished = unfinished;
    if (unfinished.removedTemps.length > 0)
      this.o.log.info({ files: unfinished.removedTemps }, "removed temp files left by the previous daemon");
    for (const u of unfinished.ended) {
      this.recovery(u.open.eventId, () => {
        const ev = this.o.restore(u.dir, u.open, u.entries);
        this.o.adopt(ev);
        if (ev.endAt !== null) this.o.ending(ev, ev.endAt);
        this.o.log.info({ eventId: ev.id }, `event ${ev.id} ended before the restart; assembling it`);
      });
    }
    // Their grace timers are armed once the cameras have indexed the ring (afterIndex).
    for (const u of unfinished.open) this.recovering.set(u.open.eventId, { ...u, timer: undefined });
  }

  /** Once the cameras have indexed the ring: assemble again what was being assembled, arm the grace timers. */
  afterIndex(): void {
    for (const u of this.unfinished?.reassemble ?? []) {
      this.recovery(u.open.eventId, () => {
        this.o.log.info(
          { eventId: u.open.eventId },
          `event ${u.open.eventId} was being assembled; assembling it again`,
        );
        this.o.finalize(this.o.restore(u.dir, u.open, u.entries), u.endAt, u.interrupted);
      });
    }
    this.unfinished = null;
    for (const [id, pending] of this.recovering) {
      pending.timer = this.o.clock.setTimeout(() => this.recoverInterrupted(id), this.o.resumeGraceMs);
    }
  }

  /** The engine resumed this event: it is no longer waiting (undefined when it was not). */
  take(eventId: string): Unfinished | undefined {
    const pending = this.recovering.get(eventId);
    if (!pending) return undefined;
    this.o.clock.clearTimeout(pending.timer);
    this.recovering.delete(eventId);
    return pending;
  }

  /** Whether a ring segment may belong to an event still waiting (the ring must keep it). */
  needed(seg: Pick<Segment, "startedAt" | "durationMs">): boolean {
    return [...this.recovering.values()].some((r) =>
      belongsToEvent(seg, r.open.triggerAt - r.open.preEventSeconds * 1000, null),
    );
  }

  stop(): void {
    for (const r of this.recovering.values()) this.o.clock.clearTimeout(r.timer);
  }

  /** Recovering one event must never stop the recorder (or the others): failures are reported. */
  private recovery(eventId: string, work: () => void): void {
    try {
      work();
    } catch (err) {
      this.o.log.error({ err, eventId }, `event ${eventId}: recovery failed`);
      this.o.alert("event-assembly-failed", "critical", `event ${eventId}: ${(err as Error).message}`, {
        eventId,
      });
    }
  }

  /** Nobody resumed it: assemble what was recorded up to the interruption. */
  private recoverInterrupted(eventId: string): void {
    const pending = this.recovering.get(eventId);
    if (!pending) return;
    this.recovering.delete(eventId);
    this.recovery(eventId, () => {
      const ev = this.o.restore(pending.dir, pending.open, pending.entries);
      this.o.claimFromRing(ev, (startedAt) => startedAt < this.o.startedAt());
      const endAt = ev.lastFootage() ?? pending.open.triggerAt;
      this.o.log.warn(
        { eventId },
        `event ${eventId} was interrupted (daemon stopped mid-event); assembling it`,
      );
      this.o.finalize(
        ev,
        endAt,
        "the daemon stopped before the event ended (crash or power loss); assembled at the next start",
      );
    });
  }
}
