import type { Clock, TimerHandle } from "../core/clock.js";

/** The waits of a replay (CAN log, NMEA log) on the injected clock; `cancel()` ends the current wait at once. */
export class ReplayPacer {
  private timer: TimerHandle | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly clock: Clock) {}

  /** Resolves after `ms` on the clock, or as soon as `cancel()` is called. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.wake = undefined;
        resolve();
      }, ms);
    });
  }

  cancel(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
