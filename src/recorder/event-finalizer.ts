import type { Clock } from "../core/clock.js";
import type { AlertSeverity, EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import { assemblyNeeds, isOutOfSpace, SpaceWaitlist } from "./assembly-retry.js";
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
 * stays without a manifest, so crash recovery assembles it again at the next start. An assembly that
 * failed for lack of space is retried as soon as the recorder's free-space check sees room for it.
 */
export class EventFinalizer {
  private assembly: Promise<void> = Promise.resolve();
  private readonly awaitingSpace = new SpaceWaitlist();

  constructor(private readonly o: EventFinalizerOptions) {}

  /** Resolves when every event queued so far is assembled (or has failed). */
  idle(): Promise<void> {
    return this.assembly;
  }

  /** The recorder measured free space: assemblies waiting for room start again when it suffices. */
  spaceChecked(freeBytes: number): void {
    this.awaitingSpace.spaceChecked(freeBytes);
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
        const noSpace = isOutOfSpace(err);
        const retry = noSpace ? "retried when space returns" : "retried at next start";
        this.o.log.error({ err, eventId: ev.id }, `event ${ev.id} could not be assembled; ${retry}`);
        const message = `event ${ev.id}: ${(err as Error).message} (${retry})`;
        this.o.alert("event-assembly-failed", "critical", message, { eventId: ev.id });
        if (noSpace) {
          this.awaitingSpace.add(ev.id, assemblyNeeds(ev.dir), () => {
            this.o.log.info({ eventId: ev.id }, `event ${ev.id}: space is back; assembling it again`);
            this.finalize(ev, endAt, interrupted);
          });
        }
      }
    });
  }
}
