/**
 * Stuck and flapping detection for one input (pure, monotonic ms).
 * Stuck: active without a change for longer than `stuckAfterMs` (0 = off): a jammed button, a light-bar
 * input wired to the wrong (always-on) circuit. Flapping: more than `maxChanges` debounced changes within
 * `windowMs`: a loose contact, or an input wired to a flasher output instead of the steady "lights on" wire.
 */
export type InputProblemCode = "input-stuck" | "input-flapping";

export interface InputProblem {
  code: InputProblemCode;
  detail: string;
}

export interface InputHealthOptions {
  stuckAfterMs: number;
  maxChanges: number;
  windowMs: number;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class InputHealthWatch {
  private activeSince: number | null = null;
  private changes: number[] = [];

  constructor(private readonly opts: InputHealthOptions) {}

  /** The debounced state at `now` (at start, or after a change). */
  observe(active: boolean, now: number, changed: boolean): void {
    if (changed) this.changes.push(now);
    if (!active) this.activeSince = null;
    else if (changed || this.activeSince === null) this.activeSince = now;
  }

  evaluate(now: number): InputProblem[] {
    this.changes = this.changes.filter((t) => now - t < this.opts.windowMs);
    const problems: InputProblem[] = [];
    const { stuckAfterMs, maxChanges, windowMs } = this.opts;
    if (stuckAfterMs > 0 && this.activeSince !== null && now - this.activeSince >= stuckAfterMs) {
      problems.push({
        code: "input-stuck",
        detail: `stuck: active for ${seconds(now - this.activeSince)} (stuckAfterSeconds ${stuckAfterMs / 1000})`,
      });
    }
    if (this.changes.length > maxChanges) {
      problems.push({
        code: "input-flapping",
        detail: `flapping: ${this.changes.length} changes in the last ${seconds(windowMs)} (more than ${maxChanges})`,
      });
    }
    return problems;
  }

  /** The next time `evaluate` may answer differently without a new change, or null. */
  nextCheck(now: number): number | null {
    const candidates: number[] = [];
    if (this.opts.stuckAfterMs > 0 && this.activeSince !== null) {
      const stuckAt = this.activeSince + this.opts.stuckAfterMs;
      if (stuckAt > now) candidates.push(stuckAt);
    }
    const inWindow = this.changes.filter((t) => now - t < this.opts.windowMs);
    const oldest = inWindow[0];
    if (oldest !== undefined && inWindow.length > this.opts.maxChanges)
      candidates.push(oldest + this.opts.windowMs);
    return candidates.length ? Math.min(...candidates) : null;
  }
}
