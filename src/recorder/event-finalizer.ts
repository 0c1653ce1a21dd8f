import type { Clock } from "../core/clock.js";
import type { AlertSeverity, EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import { assembleOpenEvent } from "./event-assembly.js";
import type { OpenEvent } from "./open-event.js";

export interface EventFinalizerOptions {
  tools: { ffmpegPath: string; ffprobePath: string; version: string };
  clock: Clock;
  bus: EventBus;
  log: Logger;
  alert: (code: string, severity: AlertSeverity, message: string, extra: { eventId?: string }) => void;
}

/**
 * The end of an event's life: its segments are assembled into one MP4 per camera with the manifest,
 * one event at a time, and `event-finalized` is announced. A failure is reported; the event directory
 * stays without a manifest, so crash recovery assembles it again at the next start.
 */
export class EventFinalizer {
  private assembly: Promise<void> = Promise.resolve();

  constructor(private readonly o: EventFinalizerOptions) {}

  /** Resolves when every event queued so far is assembled (or has failed). */
  idle(): Promise<void> {
    return this.assembly;
  }

  finalize(ev: OpenEvent, endAt: number, interrupted?: string): void {
    const { clock, bus, tools } = this.o;
    // One assembly at a time (two cores: capture comes first).
    this.assembly = this.assembly.then(async () => {
      const t0 = clock.monotonic();
      try {
        const r = await assembleOpenEvent(ev, { endAt, interrupted, ...tools });
        const gaps = r.manifest.cameras.reduce((n, c) => n + c.gaps.length, 0);
        const ms = Math.round(clock.monotonic() - t0);
        this.o.log.info(
          { eventId: ev.id, files: r.files.map((f) => f.file), gaps, ms },
          `event ${ev.id} assembled`,
        );
        bus.emit("event-finalized", {
          eventId: ev.id,
          dir: ev.dir,
          manifestSha256: r.manifestSha256,
          at: clock.now(),
        });
      } catch (err) {
        this.o.log.error(
          { err, eventId: ev.id },
          `event ${ev.id} could not be assembled; retried at next start`,
        );
        const message = `event ${ev.id}: ${(err as Error).message}`;
        this.o.alert("event-assembly-failed", "critical", message, { eventId: ev.id });
      }
    });
  }
}
