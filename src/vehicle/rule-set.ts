import { Rule, type RuleTransition } from "./rule.js";
import type { SignalDefinition } from "./signal.js";
import type { RuleConfig } from "./signal-config.js";

/**
 * All trigger rules of a car, and the liveness of the signals they use. Pure and clock-free: values come
 * in with their timestamps (epoch ms), `advance(now)` moves time, and what happened is pushed to `out`.
 */
export interface SignalLost {
  kind: "signal-lost";
  signal: string;
  /** When the timeout ran out (epoch ms). */
  at: number;
  /** When the last value arrived; null if none ever did. */
  lastAt: number | null;
  timeoutMs: number;
}

export interface SignalRestored {
  kind: "signal-restored";
  signal: string;
  at: number;
}

export type RuleEvent = RuleTransition | SignalLost | SignalRestored;

interface TrackedSignal {
  name: string;
  /** The shortest timeout of the rules using it. */
  timeoutMs: number;
  lastAt: number | null;
  lost: boolean;
  rules: Rule[];
}

export interface RuleStatus {
  name: string;
  signal: string;
  state: "clear" | "pending" | "active" | "clearing" | "unknown";
  asserted: boolean;
  value: number | null;
}

export class RuleSet {
  readonly rules: readonly Rule[];
  private readonly tracked: TrackedSignal[] = [];
  private readonly indexByName = new Map<string, number>();

  /**
   * @param definition the decoded signal a rule names (undefined for external ones such as gps.speedKmh)
   * @param startedAt epoch ms: a signal that never arrives is lost timeoutMs after this.
   */
  constructor(
    configs: readonly RuleConfig[],
    definition: (signal: string) => SignalDefinition | undefined,
    private readonly startedAt: number,
  ) {
    this.rules = configs.map((c) => new Rule(c, definition(c.signal)));
    for (const rule of this.rules) {
      let i = this.indexByName.get(rule.signal);
      if (i === undefined) {
        i = this.tracked.length;
        this.indexByName.set(rule.signal, i);
        this.tracked.push({
          name: rule.signal,
          timeoutMs: rule.timeoutMs,
          lastAt: null,
          lost: false,
          rules: [],
        });
      }
      const t = this.tracked[i];
      if (t) {
        t.rules.push(rule);
        t.timeoutMs = Math.min(t.timeoutMs, rule.timeoutMs);
      }
    }
  }

  /** The names of the signals the rules use. */
  get signals(): string[] {
    return this.tracked.map((t) => t.name);
  }

  /** Index for `update`, or undefined if no rule uses the signal. */
  signalIndex(name: string): number | undefined {
    return this.indexByName.get(name);
  }

  /** A new value of a used signal, at `at` (epoch ms). */
  update(index: number, value: number, at: number, out: RuleEvent[]): void {
    const t = this.tracked[index];
    if (!t) return;
    if (!t.lost && at > (t.lastAt ?? this.startedAt) + t.timeoutMs) this.advanceSignal(t, at, out);
    t.lastAt = at;
    if (t.lost) {
      t.lost = false;
      out.push({ kind: "signal-restored", signal: t.name, at });
    }
    for (const rule of t.rules) rule.update(value, at, out);
  }

  /** Time passes: completes hold times and notices silent signals. */
  advance(now: number, out: RuleEvent[]): void {
    for (const t of this.tracked) if (!t.lost) this.advanceSignal(t, now, out);
  }

  private advanceSignal(t: TrackedSignal, now: number, out: RuleEvent[]): void {
    const deadline = (t.lastAt ?? this.startedAt) + t.timeoutMs;
    for (const rule of t.rules) rule.advance(Math.min(now, deadline), out);
    if (now > deadline) {
      t.lost = true;
      for (const rule of t.rules) rule.expire();
      out.push({
        kind: "signal-lost",
        signal: t.name,
        at: deadline,
        lastAt: t.lastAt,
        timeoutMs: t.timeoutMs,
      });
    }
  }

  /** Signals currently without a value (timed out, or never seen past their timeout). */
  lostSignals(): string[] {
    return this.tracked.filter((t) => t.lost).map((t) => t.name);
  }

  status(): RuleStatus[] {
    return this.rules.map((r) => ({
      name: r.name,
      signal: r.signal,
      state: r.lastValue === null ? "unknown" : r.state,
      asserted: r.asserted,
      value: r.lastValue,
    }));
  }
}
