/**
 * A trigger is one input's change of state, as the activation engine sees it.
 * Origin kinds are part of MQTT protocol v1 (`origin.kind` in `R/activation`).
 */
export const ORIGIN_KINDS = ["lightbar", "button", "can", "gpio", "bodycam", "cli"] as const;
export type OriginKind = (typeof ORIGIN_KINDS)[number];

export interface Origin {
  kind: OriginKind;
  /** Which input of that kind: GPIO input name, CAN rule name, body-cam id, "control" for the CLI. */
  id: string;
}

/** Sources an officer operates by hand, inside the car. Their starts can only be stopped by hand. */
export function isManualOrigin(origin: Origin): boolean {
  return origin.kind === "button" || origin.kind === "cli";
}

export interface Trigger {
  origin: Origin;
  /** true = the condition began (lights on, speed over threshold); false = it cleared. */
  active: boolean;
  /** Epoch ms, UTC. */
  at: number;
  reason: string;
}

/** An officer's deliberate command (button press, CLI, status page, body cam's own button). */
export type CommandKind = "start" | "stop" | "mark";

export interface Command {
  kind: CommandKind;
  origin: Origin;
  at: number;
  reason: string;
}
