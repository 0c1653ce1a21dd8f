import { labelValue, type SignalDefinition, valueLabel } from "./signal.js";
import type { RuleConfig } from "./signal-config.js";

/**
 * One trigger rule on one signal, as a pure state machine. Time comes in with every value (the frame's
 * timestamp, epoch ms) and through `advance(now)`; nothing here reads a clock.
 *
 * Values are held between samples (zero-order hold): a condition that became true at `since` and was not
 * contradicted by a later sample has held until now. So a rule with holdMs fires at exactly since + holdMs,
 * whether that moment is noticed by the next sample or by `advance`.
 */
export type RuleState = "clear" | "pending" | "active" | "clearing";

export interface RuleTransition {
  kind: "transition";
  rule: string;
  active: boolean;
  /** Epoch ms. */
  at: number;
  reason: string;
  signal: string;
  /** The signal's value the decision was made on. */
  value: number;
}

/** Where transitions go (an array of transitions or of any wider event union). */
export interface TransitionSink {
  push(t: RuleTransition): unknown;
}

export class RuleConfigError extends Error {
  override name = "RuleConfigError";
}

interface Condition {
  fires(v: number): boolean;
  clears(v: number): boolean;
  fireText(v: string): string;
  clearText(v: string): string;
}

function duration(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(3))} s` : `${ms} ms`;
}

function condition(cfg: RuleConfig, def: SignalDefinition | undefined): Condition {
  switch (cfg.op) {
    case "above": {
      const clearBelow = cfg.clearBelow;
      return {
        fires: (v) => v > cfg.threshold,
        clears: clearBelow === undefined ? (v) => v <= cfg.threshold : (v) => v < clearBelow,
        fireText: (v) => `${v} > ${cfg.threshold}`,
        clearText: (v) => (clearBelow === undefined ? `${v} <= ${cfg.threshold}` : `${v} < ${clearBelow}`),
      };
    }
    case "below": {
      const clearAbove = cfg.clearAbove;
      return {
        fires: (v) => v < cfg.threshold,
        clears: clearAbove === undefined ? (v) => v >= cfg.threshold : (v) => v > clearAbove,
        fireText: (v) => `${v} < ${cfg.threshold}`,
        clearText: (v) => (clearAbove === undefined ? `${v} >= ${cfg.threshold}` : `${v} > ${clearAbove}`),
      };
    }
    case "equals":
    case "notEquals": {
      const wanted = (Array.isArray(cfg.value) ? cfg.value : [cfg.value]).map((w) => {
        if (typeof w === "number") return w;
        const v = def ? labelValue(def, w) : undefined;
        if (v === undefined) {
          const known = def ? [...def.valueTable.values()].join(", ") : "";
          throw new RuleConfigError(
            `rule ${cfg.name}: ${cfg.signal} has no value named '${w}'${known ? ` (known: ${known})` : ""}`,
          );
        }
        return v;
      });
      const tolerance = def && def.scale !== 0 ? Math.abs(def.scale) / 2 : 1e-9;
      const isOneOf = (v: number) => wanted.some((w) => Math.abs(v - w) < tolerance);
      const shown = (Array.isArray(cfg.value) ? cfg.value : [cfg.value]).join(" | ");
      const is = cfg.op === "equals" ? isOneOf : (v: number) => !isOneOf(v);
      const matchText = (v: string) => `== ${v}`;
      const otherText = (v: string) => `== ${v}, not ${shown}`;
      return {
        fires: is,
        clears: (v) => !is(v),
        fireText: cfg.op === "equals" ? matchText : otherText,
        clearText: cfg.op === "equals" ? otherText : matchText,
      };
    }
    case "bit": {
      const weight = 2 ** cfg.bit;
      const set = (v: number) => Math.floor(Math.trunc(v) / weight) % 2 !== 0;
      return {
        fires: set,
        clears: (v) => !set(v),
        fireText: (v) => `${v}: bit ${cfg.bit} set`,
        clearText: (v) => `${v}: bit ${cfg.bit} clear`,
      };
    }
  }
}

export class Rule {
  readonly name: string;
  readonly signal: string;
  readonly timeoutMs: number;
  private readonly cond: Condition;
  private readonly holdMs: number;
  private readonly clearHoldMs: number;
  private _state: RuleState = "clear";
  /** When the current pending/clearing condition began. */
  private since = 0;
  private value: number | null = null;
  private valueAt = 0;

  constructor(
    readonly config: RuleConfig,
    private readonly def: SignalDefinition | undefined,
  ) {
    this.name = config.name;
    this.signal = config.signal;
    this.timeoutMs = config.timeoutMs;
    this.holdMs = config.holdMs;
    this.clearHoldMs = config.clearHoldMs;
    this.cond = condition(config, def);
  }

  get state(): RuleState {
    return this._state;
  }

  /** Whether the rule currently asserts its trigger (active, or clearing but not yet cleared). */
  get asserted(): boolean {
    return this._state === "active" || this._state === "clearing";
  }

  /** The last value seen, or null while unknown. */
  get lastValue(): number | null {
    return this.value;
  }

  /** A new sample of the signal at `at` (epoch ms). */
  update(value: number, at: number, out: TransitionSink): void {
    if (this.value !== null) this.advance(at, out);
    this.value = value;
    this.valueAt = at;
    switch (this._state) {
      case "clear":
        if (this.cond.fires(value)) this.begin("pending", at, out);
        break;
      case "pending":
        if (!this.cond.fires(value)) this._state = "clear";
        break;
      case "active":
        if (this.cond.clears(value)) this.begin("clearing", at, out);
        break;
      case "clearing":
        if (!this.cond.clears(value)) this._state = "active";
        break;
    }
  }

  /** Time passes with the last value held: completes a pending fire or clear whose hold time is up. */
  advance(now: number, out: TransitionSink): void {
    if (this.value === null) return;
    if (this._state === "pending" && this.since + this.holdMs <= now)
      this.settle("active", this.since + this.holdMs, out);
    else if (this._state === "clearing" && this.since + this.clearHoldMs <= now) {
      this.settle("clear", this.since + this.clearHoldMs, out);
    }
  }

  /**
   * The signal went silent: its value is unknown. A pending fire or clear is abandoned; an active rule
   * stays asserted (silence is not evidence that the condition ended) until a value clears it.
   */
  expire(): void {
    this.value = null;
    if (this._state === "pending") this._state = "clear";
    else if (this._state === "clearing") this._state = "active";
  }

  /** The value of the signal, formatted with its unit and value-table name. */
  describeValue(v: number): string {
    const label = this.def ? valueLabel(this.def, v) : undefined;
    if (label !== undefined && (this.config.op === "equals" || this.config.op === "notEquals")) return label;
    const unit = this.def ? this.def.unit : this.signal === "gps.speedKmh" ? "km/h" : "";
    return `${v}${unit ? ` ${unit}` : ""}${label !== undefined ? ` (${label})` : ""}`;
  }

  private begin(state: "pending" | "clearing", at: number, out: TransitionSink): void {
    this._state = state;
    this.since = at;
    const hold = state === "pending" ? this.holdMs : this.clearHoldMs;
    if (hold === 0) this.settle(state === "pending" ? "active" : "clear", at, out);
  }

  private settle(state: "active" | "clear", at: number, out: TransitionSink): void {
    this._state = state;
    const v = this.value ?? Number.NaN;
    const shown = this.describeValue(v);
    const active = state === "active";
    const hold = active ? this.holdMs : this.clearHoldMs;
    const text = active ? this.cond.fireText(shown) : this.cond.clearText(shown);
    const reason = `${this.signal} ${text}${hold > 0 ? ` for ${duration(hold)}` : ""}`;
    out.push({ kind: "transition", rule: this.name, active, at, reason, signal: this.signal, value: v });
  }

  /** When the last value arrived (epoch ms). */
  get lastValueAt(): number {
    return this.valueAt;
  }
}
