import { type BackoffConfig, backoffDelay } from "../core/backoff.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";

export type LinkState = "stopped" | "connecting" | "up" | "waiting";

export interface LinkSupervisorOptions {
  clock: Clock;
  bus: EventBus;
  /** Health component this link reports as, e.g. "can" or "gps". */
  component: string;
  /** What is watched, for messages and the alert's `device`: a serial path, an interface, a host:port. */
  device: string;
  /** Alert raised once per outage, e.g. "serial-disconnected". */
  alertCode: string;
  backoff: BackoffConfig;
  /** Bring the link up (open, handshake …). Resolve when usable; reject to retry after a backoff. */
  connect: () => Promise<void>;
  /** Tear the link down after a failed connect, a loss, or on stop. Must not reject. */
  disconnect: () => Promise<void>;
  log?: (level: "info" | "warn", msg: string) => void;
}

/**
 * Keeps one link (a serial adapter, a child process, a TCP connection) up: connects, and after a failure
 * or a loss reconnects with exponential backoff on the injected clock, forever, until stopped.
 * Reports health `down` (with the reason) while down and `ok` when back, and raises one alert per outage.
 */
export class LinkSupervisor {
  private state: LinkState = "stopped";
  private generation = 0;
  private failures = 0;
  private timer: TimerHandle | undefined;
  private downSince: number | null = null;
  private upSince: number | null = null;
  private upSinceMono: number | null = null;
  private lastError: string | null = null;
  private nextAttemptAt: number | null = null;
  private reconnects = 0;
  private everUp = false;

  constructor(private readonly opts: LinkSupervisorOptions) {}

  get current(): LinkState {
    return this.state;
  }

  /** Monotonic time the link last came up, or null while it is not up. */
  get upSinceMonotonic(): number | null {
    return this.state === "up" ? this.upSinceMono : null;
  }

  start(): void {
    if (this.state !== "stopped") return;
    this.attempt();
  }

  /** The link reports that it dropped (port closed, process exited, socket ended). */
  lost(reason: string): void {
    if (this.state !== "up" && this.state !== "connecting") return;
    this.generation++;
    void this.opts.disconnect();
    this.down(reason);
  }

  async stop(): Promise<void> {
    this.state = "stopped";
    this.generation++;
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAttemptAt = null;
    await this.opts.disconnect();
  }

  status() {
    const { clock } = this.opts;
    return {
      state: this.state,
      upSince: this.upSince,
      downSince: this.downSince,
      lastError: this.lastError,
      reconnects: this.reconnects,
      nextAttemptInMs:
        this.nextAttemptAt === null ? null : Math.max(0, this.nextAttemptAt - clock.monotonic()),
    };
  }

  private attempt(): void {
    this.timer = undefined;
    this.nextAttemptAt = null;
    this.state = "connecting";
    const gen = ++this.generation;
    this.opts.connect().then(
      () => {
        if (gen !== this.generation) return;
        this.up();
      },
      (err: unknown) => {
        if (gen !== this.generation) return;
        void this.opts.disconnect();
        this.down(err instanceof Error ? err.message : String(err));
      },
    );
  }

  private up(): void {
    const { bus, clock, component, device } = this.opts;
    this.state = "up";
    this.failures = 0;
    this.upSince = clock.now();
    this.upSinceMono = clock.monotonic();
    if (this.everUp) this.reconnects++;
    if (this.downSince !== null) {
      const downMs = clock.now() - this.downSince;
      this.opts.log?.("info", `${device} is back after ${Math.round(downMs / 1000)} s`);
    }
    this.everUp = true;
    this.downSince = null;
    this.lastError = null;
    bus.emit("health", { component, state: "ok", detail: `${device} connected`, at: clock.now() });
  }

  private down(reason: string): void {
    const { bus, clock, component, device, alertCode, backoff } = this.opts;
    const delay = backoffDelay(this.failures++, backoff);
    this.state = "waiting";
    this.upSince = null;
    const newOutage = this.downSince === null;
    if (newOutage) this.downSince = clock.now();
    const changed = reason !== this.lastError;
    this.lastError = reason;
    if (newOutage || changed) {
      bus.emit("health", { component, state: "down", detail: `${device}: ${reason}`, at: clock.now() });
      this.opts.log?.("warn", `${device}: ${reason}; retrying every ≤ ${backoff.maxMs / 1000} s`);
    }
    if (newOutage) {
      bus.emit("alert", {
        code: alertCode,
        severity: "warning",
        message: `${component} input ${device} is down: ${reason}`,
        device,
        at: clock.now(),
      });
    }
    this.nextAttemptAt = clock.monotonic() + delay;
    this.timer = clock.setTimeout(() => this.attempt(), delay);
  }
}
