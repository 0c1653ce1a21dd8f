import { ActivationEngine, type ActivationPolicy, type Decision } from "../../src/core/activation.js";
import { activationConfigSchema } from "../../src/core/config.js";
import type { Command, Origin, Trigger } from "../../src/core/trigger.js";

/**
 * Table-driven activation engine tests: origins, a fake timeline (`s(sec)`), steps fed to an engine and
 * the decisions it takes.
 */
/** A policy from the schema: its defaults (the one place they are written), with `over` applied. */
export const withDefaults = (over: Partial<ActivationPolicy> = {}) => activationConfigSchema.parse(over);
export const T0 = Date.UTC(2026, 10, 26, 14, 22, 33);
export const s = (sec: number) => T0 + sec * 1000;

export const lightbar: Origin = { kind: "lightbar", id: "lightbar" };
export const siren: Origin = { kind: "gpio", id: "siren" };
export const speed: Origin = { kind: "can", id: "speed-over-130" };
export const button: Origin = { kind: "button", id: "button" };
export const cli: Origin = { kind: "cli", id: "control" };
export const cam7: Origin = { kind: "bodycam", id: "bc-7" };

export type Step =
  | { at: number; trigger: Origin; active: boolean }
  | { at: number; command: Command["kind"]; origin: Origin }
  | { at: number; advance: true };

export function engine(policy: Partial<ActivationPolicy> = {}) {
  let n = 0;
  return new ActivationEngine(withDefaults(policy), {
    vehicleId: "unit12",
    idSuffix: () => (n++).toString(16).padStart(4, "0"),
  });
}

export function run(e: ActivationEngine, steps: Step[]): Decision[] {
  const out: Decision[] = [];
  for (const st of steps) {
    if ("trigger" in st) {
      const t: Trigger = {
        origin: st.trigger,
        active: st.active,
        at: st.at,
        reason: `${st.trigger.id} ${st.active}`,
      };
      out.push(...e.handleTrigger(t));
    } else if ("command" in st) {
      out.push(
        ...e.handleCommand({
          kind: st.command,
          origin: st.origin,
          at: st.at,
          reason: `${st.command} by ${st.origin.kind}`,
        }),
      );
    } else {
      out.push(...e.advance(st.at));
    }
  }
  return out;
}

export const types = (ds: Decision[]) => ds.filter((d) => d.type !== "ignored").map((d) => d.type);
