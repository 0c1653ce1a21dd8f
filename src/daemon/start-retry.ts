import { type BackoffConfig, backoffDelay } from "../core/backoff.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";

/** Retry delays for a component that failed to start (a port in use, a lock not yet free). */
export const START_RETRY_BACKOFF: BackoffConfig = { initialMs: 1000, maxMs: 15_000 };

export interface StartRetryOptions {
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  backoff?: BackoffConfig;
  /** Called once the component has started (the daemon then stops it with the others). */
  onStarted: (c: Component) => void;
}

/**
 * A component that failed to start is not left down for the whole run: it is reported (health `down`, a
 * critical `component-failed` alert), then started again with exponential backoff until it comes up or the
 * daemon stops. Whatever a failed attempt left half-open is released with the component's `stop()` first.
 */
export class StartRetry {
  private failures = 0;
  private timer: TimerHandle | undefined;
  private attempt: Promise<void> | undefined;
  private stopped = false;
  private up = false;

  constructor(
    readonly component: Component,
    private readonly o: StartRetryOptions,
  ) {}

  /** The start (first or a retry) failed with `err`: report it and schedule the next attempt. */
  failed(err: unknown): void {
    const { bus, clock, logger } = this.o;
    const c = this.component;
    const reason = err instanceof Error ? err.message : String(err);
    const delay = backoffDelay(this.failures++, this.o.backoff ?? START_RETRY_BACKOFF);
    logger.error(
      { err, component: c.name, retryInMs: delay, attempt: this.failures },
      `component ${c.name} failed to start; the rest keep running, retrying in ${Math.round(delay / 100) / 10} s`,
    );
    bus.emit("health", { component: c.name, state: "down", detail: reason, at: clock.now() });
    if (this.failures === 1) {
      bus.emit("alert", {
        code: "component-failed",
        severity: "critical",
        message: `${c.name} failed to start: ${reason} (retrying)`,
        device: c.name,
        at: clock.now(),
      });
    }
    if (this.stopped) return;
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      this.attempt = this.retry();
    }, delay);
  }

  private async retry(): Promise<void> {
    const c = this.component;
    try {
      await c.stop(); // whatever the failed attempt left open
      if (this.stopped) return;
      await c.start();
    } catch (err) {
      if (!this.stopped) this.failed(err);
      return;
    }
    if (this.stopped) {
      await c.stop().catch(() => {});
      return;
    }
    const { bus, clock, logger } = this.o;
    logger.info(
      { component: c.name, attempts: this.failures + 1 },
      `component ${c.name} started after a retry`,
    );
    bus.emit("health", { component: c.name, state: "ok", detail: "started", at: clock.now() });
    this.up = true;
    this.o.onStarted(c);
  }

  /** Stop retrying; release what a failed attempt left open (a started component is the caller's). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.attempt;
    if (!this.up) await this.component.stop().catch(() => {});
  }
}
