import type { Clock, TimerHandle } from "../core/clock.js";
import type { BodycamConfirmation } from "../core/event-bus.js";

/**
 * The confirmation state machine. After an activation every paired, online body cam must report
 * `recording: true` with the event's id within `timeoutMs`. A cam that does not is reported
 * unconfirmed once (alert) and gets the activation again, up to `maxResends` times; a cam that
 * comes online mid-event is expected to confirm from then on (it is caught up by the retained
 * activation). Every confirmation carries its latency (monotonic clock).
 */
export interface CamReport {
  online: boolean;
  recording: boolean;
  eventId: string | null;
}

export interface ConfirmationSink {
  /** A cam confirmed (`late` when it had been reported unconfirmed before). */
  confirmed(c: BodycamConfirmation, late: boolean): void;
  /** A cam did not confirm in time (reported once per cam per event). */
  unconfirmed(c: BodycamConfirmation): void;
  /** These cams did not confirm yet: send them the activation again. */
  resend(eventId: string, bodycamIds: string[]): void;
}

export interface ConfirmationOptions {
  clock: Clock;
  timeoutMs: number;
  maxResends: number;
  sink: ConfirmationSink;
}

interface Tracked {
  commandedAt: number;
  commandedMono: number;
  deadline: number;
  confirmedAt: number | null;
  latencyMs: number | null;
  resends: number;
  reportedUnconfirmed: boolean;
}

export interface ConfirmationView {
  bodycamId: string;
  commandedAt: number;
  confirmedAt: number | null;
  latencyMs: number | null;
  resends: number;
}

export class ConfirmationTracker {
  private eventId: string | null = null;
  private readonly cams = new Map<string, Tracked>();
  private timer: TimerHandle | undefined;

  constructor(private readonly opts: ConfirmationOptions) {}

  get currentEventId(): string | null {
    return this.eventId;
  }

  /**
   * An activation (active: true) for `eventId` was published. Starts tracking the given online cams;
   * for the event already tracked this is a no-op (joins re-publish the same event).
   */
  activate(eventId: string, onlineCams: Iterable<[string, CamReport]>): void {
    if (this.eventId === eventId) return;
    this.end();
    this.eventId = eventId;
    for (const [id, report] of onlineCams) if (report.online) this.expect(id, report);
  }

  /** The event ended (or the daemon stops): forget it and release the timer. */
  end(): void {
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.eventId = null;
    this.cams.clear();
  }

  /** A paired cam's status arrived. */
  report(bodycamId: string, report: CamReport): void {
    if (this.eventId === null) return;
    const tracked = this.cams.get(bodycamId);
    if (!report.online) {
      // Offline: no longer expected; if it comes back it is a late joiner with a fresh deadline.
      if (tracked && tracked.confirmedAt === null) this.cams.delete(bodycamId);
      this.schedule();
      return;
    }
    if (!tracked) this.expect(bodycamId, report);
    else this.check(bodycamId, tracked, report);
  }

  confirmations(): ConfirmationView[] {
    return [...this.cams.entries()].map(([bodycamId, t]) => ({
      bodycamId,
      commandedAt: t.commandedAt,
      confirmedAt: t.confirmedAt,
      latencyMs: t.latencyMs,
      resends: t.resends,
    }));
  }

  isConfirmed(bodycamId: string): boolean {
    return (this.cams.get(bodycamId)?.confirmedAt ?? null) !== null;
  }

  private expect(bodycamId: string, report: CamReport): void {
    const mono = this.opts.clock.monotonic();
    const tracked: Tracked = {
      commandedAt: this.opts.clock.now(),
      commandedMono: mono,
      deadline: mono + this.opts.timeoutMs,
      confirmedAt: null,
      latencyMs: null,
      resends: 0,
      reportedUnconfirmed: false,
    };
    this.cams.set(bodycamId, tracked);
    this.check(bodycamId, tracked, report);
    this.schedule();
  }

  private check(bodycamId: string, t: Tracked, report: CamReport): void {
    if (t.confirmedAt !== null || !report.recording || report.eventId !== this.eventId || !this.eventId)
      return;
    t.confirmedAt = this.opts.clock.now();
    t.latencyMs = Math.max(0, Math.round((this.opts.clock.monotonic() - t.commandedMono) * 1000) / 1000);
    this.opts.sink.confirmed(this.view(this.eventId, bodycamId, t), t.reportedUnconfirmed);
    this.schedule();
  }

  private view(eventId: string, bodycamId: string, t: Tracked): BodycamConfirmation {
    return {
      eventId,
      bodycamId,
      commandedAt: t.commandedAt,
      confirmedAt: t.confirmedAt,
      latencyMs: t.latencyMs,
    };
  }

  private schedule(): void {
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    let next = Number.POSITIVE_INFINITY;
    for (const t of this.cams.values()) {
      if (t.confirmedAt === null && t.resends <= this.opts.maxResends) next = Math.min(next, t.deadline);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(0, next - this.opts.clock.monotonic());
    this.timer = this.opts.clock.setTimeout(() => this.onDeadline(), delay);
  }

  private onDeadline(): void {
    this.timer = undefined;
    const eventId = this.eventId;
    if (eventId === null) return;
    const now = this.opts.clock.monotonic();
    const resend: string[] = [];
    for (const [id, t] of this.cams) {
      if (t.confirmedAt !== null || t.deadline > now || t.resends > this.opts.maxResends) continue;
      if (!t.reportedUnconfirmed) {
        t.reportedUnconfirmed = true;
        this.opts.sink.unconfirmed(this.view(eventId, id, t));
      }
      t.resends++;
      t.deadline = now + this.opts.timeoutMs;
      if (t.resends <= this.opts.maxResends) resend.push(id);
    }
    if (resend.length > 0) this.opts.sink.resend(eventId, resend);
    this.schedule();
  }
}
