import { type BackoffConfig, backoffDelay } from "../core/backoff.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import type { HealthState } from "../core/health.js";
import type { Logger } from "../core/logger.js";
import type { CommandKind, Origin } from "../core/trigger.js";
import { ButtonPress } from "./button.js";
import type { GpioInputConfig } from "./config.js";
import { type DebouncedChange, Debouncer } from "./debounce.js";
import type { DigitalLine, Level } from "./digital-line.js";
import { InputHealthWatch, type InputProblem } from "./input-health.js";

export interface InputChannelOptions {
  input: GpioInputConfig;
  /** The backend actually used (`simulated` in demo mode whatever the config says). */
  backend: GpioInputConfig["backend"];
  line: DigitalLine;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Reopen a line that failed to open after this delay, doubling up to maxReopenMs. */
  reopenMs?: number;
  maxReopenMs?: number;
}

export interface InputStatus {
  name: string;
  role: string;
  backend: string;
  line: string;
  /** Debounced electrical level, null while the line is not open. */
  level: Level | null;
  active: boolean | null;
  health: HealthState;
  detail: string | null;
  changes: number;
  lastChangeAt: string | null;
}

/**
 * One GPIO input, from line to bus: edges and periodic re-reads go through the level-stable debounce,
 * activeLow turns levels into active/inactive, then the role decides what goes on the bus (a Trigger,
 * or for the button a start/stop Command). Health (`gpio:{name}`): down while the line cannot be read,
 * degraded while stuck or flapping, with alerts when a problem begins.
 */
export class InputChannel {
  private readonly input: GpioInputConfig;
  private readonly health: InputHealthWatch;
  private readonly button: ButtonPress | null;
  private debouncer: Debouncer | null = null;
  private timers: Record<"settle" | "long" | "health" | "reopen", TimerHandle | undefined> = {
    settle: undefined,
    long: undefined,
    health: undefined,
    reopen: undefined,
  };
  private reread: TimerHandle | undefined;
  private backendProblem: string | null = null;
  private readProblem: string | null = null;
  private problems: InputProblem[] = [];
  private reported: { state: HealthState; key: string } | null = null;
  private opened = false;
  private stopped = true;
  /** Failed opens since the line last opened (the backoff exponent). */
  private reopenFailures = 0;
  private readonly reopen: BackoffConfig;
  private changes = 0;
  private lastChangeAt: number | null = null;

  constructor(private readonly opts: InputChannelOptions) {
    this.input = opts.input;
    this.reopen = { initialMs: opts.reopenMs ?? 1000, maxMs: opts.maxReopenMs ?? 60_000 };
    this.health = new InputHealthWatch({
      stuckAfterMs: this.input.stuckAfterSeconds * 1000,
      maxChanges: this.input.flapping.maxChanges,
      windowMs: this.input.flapping.windowSeconds * 1000,
    });
    this.button = this.input.role === "button" ? new ButtonPress(this.input.longPressMs) : null;
  }

  get name(): string {
    return this.input.name;
  }

  get line(): DigitalLine {
    return this.opts.line;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.openLine();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const key of Object.keys(this.timers) as (keyof typeof this.timers)[]) {
      this.opts.clock.clearTimeout(this.timers[key]);
      this.timers[key] = undefined;
    }
    this.opts.clock.clearInterval(this.reread);
    this.reread = undefined;
    if (this.opened) {
      this.opened = false;
      await this.opts.line.close();
    }
  }

  status(): InputStatus {
    const level = this.opened && this.debouncer ? this.debouncer.level : null;
    const health = this.healthNow();
    return {
      name: this.input.name,
      role: this.input.role,
      backend: this.opts.backend,
      line: this.opts.line.description,
      level,
      active: level === null ? null : this.isActive(level),
      health: health.state,
      detail: health.detail,
      changes: this.changes,
      lastChangeAt: this.lastChangeAt === null ? null : new Date(this.lastChangeAt).toISOString(),
    };
  }

  /** The electrical level that means `active` for this input. */
  levelFor(active: boolean): Level {
    return active !== this.input.activeLow ? 1 : 0;
  }

  private isActive(level: Level): boolean {
    return this.input.activeLow ? level === 0 : level === 1;
  }

  private get mono(): number {
    return this.opts.clock.monotonic();
  }

  private async openLine(): Promise<void> {
    let level: Level;
    try {
      level = await this.opts.line.open({
        edge: (l) => this.sample(l),
        problem: (detail) => {
          this.backendProblem = detail;
          this.updateHealth();
        },
      });
    } catch (err) {
      if (this.stopped) return;
      await this.opts.line.close().catch(() => {});
      const delay = backoffDelay(this.reopenFailures++, this.reopen);
      this.backendProblem = `${(err as Error).message}; retrying in ${Math.round(delay / 1000)} s`;
      this.updateHealth();
      this.timers.reopen = this.opts.clock.setTimeout(() => {
        this.timers.reopen = undefined;
        void this.openLine();
      }, delay);
      return;
    }
    if (this.stopped) {
      await this.opts.line.close();
      return;
    }
    this.opened = true;
    this.backendProblem = null;
    this.reopenFailures = 0;
    const now = this.mono;
    this.debouncer = new Debouncer(this.input.debounceMs, level, now);
    const active = this.isActive(level);
    this.health.observe(active, now, false);
    this.opts.logger.info(
      { input: this.input.name, line: this.opts.line.description, lineLevel: level, active },
      "gpio input opened",
    );
    if (active && this.button) {
      this.opts.logger.warn({ input: this.input.name }, "button held down at start: not counted as a press");
    } else if (active) {
      this.emitTrigger(true, `${this.describe(level)} already active when camsync started`);
    }
    if (this.input.rereadMs > 0) {
      this.reread = this.opts.clock.setInterval(() => {
        const l = this.readLine();
        if (l !== null) this.sample(l);
      }, this.input.rereadMs);
    }
    this.updateHealth();
  }

  /** A level seen on the line: an edge, a re-read, or a level found after a backend restart. */
  private sample(level: Level): void {
    if (!this.debouncer || this.stopped) return;
    this.scheduleSettle(this.debouncer.sample(level, this.mono));
  }

  private scheduleSettle(due: number | null): void {
    this.opts.clock.clearTimeout(this.timers.settle);
    this.timers.settle = undefined;
    if (due === null) return;
    const wait = due - this.mono;
    if (wait <= 0) this.settle();
    else this.timers.settle = this.opts.clock.setTimeout(() => this.settle(), wait);
  }

  private settle(): void {
    this.timers.settle = undefined;
    if (!this.debouncer) return;
    const level = this.readLine();
    if (level === null) return;
    const change = this.debouncer.settle(level, this.mono);
    if (change) this.commit(change);
    else this.scheduleSettle(this.debouncer.due);
  }

  private readLine(): Level | null {
    try {
      const level = this.opts.line.read();
      if (this.readProblem !== null) {
        this.readProblem = null;
        this.updateHealth();
      }
      return level;
    } catch (err) {
      const detail = `cannot read ${this.opts.line.description}: ${(err as Error).message}`;
      if (detail !== this.readProblem) {
        this.readProblem = detail;
        this.updateHealth();
      }
      return null;
    }
  }

  private describe(level: Level): string {
    const wire = `line ${level ? "high" : "low"}${this.input.activeLow ? ", activeLow" : ""}`;
    return `${this.input.role} input '${this.input.name}' (${wire})`;
  }

  private commit(change: DebouncedChange): void {
    const active = this.isActive(change.level);
    this.changes += 1;
    this.lastChangeAt = this.opts.clock.now();
    this.health.observe(active, this.mono, true);
    this.opts.logger.info({ input: this.input.name, lineLevel: change.level, active }, "gpio input changed");
    if (this.button) this.buttonChange(active, change.since);
    else this.emitTrigger(active, `${this.describe(change.level)} ${active ? "became active" : "cleared"}`);
    this.updateHealth();
  }

  private buttonChange(pressed: boolean, at: number): void {
    const button = this.button;
    if (!button) return;
    if (pressed) {
      button.press(at);
      this.scheduleLongPress();
      return;
    }
    this.opts.clock.clearTimeout(this.timers.long);
    this.timers.long = undefined;
    const action = button.release(at);
    if (action === "short") this.emitCommand("start", `button '${this.input.name}' pressed`);
    else if (action === "long") this.longPress();
  }

  private scheduleLongPress(): void {
    const due = this.button?.longPressDue ?? null;
    if (due === null) return;
    const wait = due - this.mono;
    if (wait <= 0) {
      if (this.button?.tick(this.mono) === "long") this.longPress();
      return;
    }
    this.timers.long = this.opts.clock.setTimeout(() => {
      this.timers.long = undefined;
      // System timers can fire a little before the monotonic clock reaches the due time: check again then.
      if (this.button?.tick(this.mono) === "long") this.longPress();
      else this.scheduleLongPress();
    }, wait);
  }

  private longPress(): void {
    this.emitCommand(
      "stop",
      `button '${this.input.name}' held for ${this.input.longPressMs} ms (long press)`,
    );
  }

  private origin(): Origin {
    if (this.button) return { kind: "button", id: this.input.name };
    return { kind: this.input.role === "lightbar" ? "lightbar" : "gpio", id: this.input.name };
  }

  private emitTrigger(active: boolean, reason: string): void {
    this.opts.bus.emit("trigger", { origin: this.origin(), active, at: this.opts.clock.now(), reason });
  }

  private emitCommand(kind: CommandKind, reason: string): void {
    this.opts.logger.info({ input: this.input.name, command: kind }, reason);
    this.opts.bus.emit("command", { kind, origin: this.origin(), at: this.opts.clock.now(), reason });
  }

  private healthNow(): { state: HealthState; detail: string | null } {
    const lineProblem = this.backendProblem ?? this.readProblem;
    const details = [lineProblem, ...this.problems.map((p) => p.detail)].filter(
      (d): d is string => d !== null,
    );
    const state: HealthState = lineProblem !== null ? "down" : this.problems.length > 0 ? "degraded" : "ok";
    return { state, detail: details.length ? details.join("; ") : null };
  }

  private updateHealth(): void {
    if (this.stopped) return;
    const now = this.mono;
    const before = new Set(this.problems.map((p) => p.code));
    this.problems = this.opened ? this.health.evaluate(now) : [];
    const { state, detail } = this.healthNow();
    const lineProblem = this.backendProblem ?? this.readProblem;
    const key = [lineProblem ?? "", ...this.problems.map((p) => p.code)].join("|");
    const previous = this.reported;
    if (!previous || previous.state !== state || previous.key !== key) {
      this.reported = { state, key };
      const at = this.opts.clock.now();
      const component = `gpio:${this.input.name}`;
      this.opts.bus.emit("health", { component, state, ...(detail ? { detail } : {}), at });
      this.opts.logger.debug({ input: this.input.name, state, detail }, "gpio input health");
      if (state === "down" && previous?.state !== "down") {
        this.alert(
          "input-unavailable",
          "critical",
          `${this.input.role} input '${this.input.name}' unavailable: ${detail}`,
        );
      }
      for (const p of this.problems) {
        if (!before.has(p.code)) {
          this.alert(p.code, "warning", `${this.input.role} input '${this.input.name}' ${p.detail}`);
        }
      }
    }
    this.opts.clock.clearTimeout(this.timers.health);
    this.timers.health = undefined;
    const next = this.opened ? this.health.nextCheck(now) : null;
    if (next !== null) this.timers.health = this.opts.clock.setTimeout(() => this.updateHealth(), next - now);
  }

  private alert(code: string, severity: "warning" | "critical", message: string): void {
    this.opts.bus.emit("alert", {
      code,
      severity,
      message,
      device: `gpio:${this.input.name}`,
      at: this.opts.clock.now(),
    });
  }
}
