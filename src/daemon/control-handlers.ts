import type { DaemonStatus } from "../control/daemon-status.js";
import type { ActivationService } from "../core/activation-service.js";
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import type { evidenceControlHandlers } from "../evidence/operator-action.js";
import type { Inputs } from "../inputs/inputs.js";
import type { eventCreateHandler } from "../recorder/after-the-fact.js";
import type { ControlServer } from "./control-server.js";

export interface ControlHandlerDeps {
  control: ControlServer;
  bus: EventBus;
  clock: Clock;
  activation: ActivationService;
  inputs: Pick<Inputs, "simulate" | "press">;
  operator: ReturnType<typeof evidenceControlHandlers>;
  /** `camsync event create` while the daemon runs: its audit log records the promoted event. */
  eventCreate: ReturnType<typeof eventCreateHandler>;
  status: () => DaemonStatus;
}

/**
 * Every op of the local control channel in one place: what `camsync trigger|status|officer|event` and
 * the status page may ask of the running daemon. Each handler turns a request into a bus command or a
 * component call; the stop policy stays the activation engine's.
 */
export function registerControlHandlers(d: ControlHandlerDeps): void {
  const { control, bus, clock, activation } = d;
  control.handle("trigger", (req) => {
    const via = req.via ?? "cli";
    const before = activation.current.eventId;
    const decisions: unknown[] = [];
    const off = bus.on("decision", (dec) => decisions.push(dec));
    try {
      bus.emit("command", {
        kind: req.kind,
        origin: { kind: "cli", id: via },
        at: clock.now(),
        reason: req.reason ?? `${req.kind} from ${via}`,
      });
    } finally {
      off();
    }
    return {
      before,
      decisions,
      state: activation.current.state,
      eventId: activation.current.eventId,
    };
  });
  control.handle("status", () => d.status());
  control.handle("simulate", (req) => {
    d.inputs.simulate(req.input, req.active);
    return { input: req.input, active: req.active };
  });
  control.handle("press", (req) => {
    d.inputs.press(req.input, req.holdMs);
    return { input: req.input, holdMs: req.holdMs };
  });
  control.handle("officer-set", (req) => d.operator.officerSet(req));
  control.handle("event-tag", (req) => d.operator.eventTag(req));
  control.handle("event-create", d.eventCreate);
}
