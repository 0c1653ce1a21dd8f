import { isoTime } from "../core/clock.js";
import type { Alert } from "../core/event-bus.js";
import type { Origin } from "../core/trigger.js";
import type { ActivationPayload, AlertPayload } from "./payloads.js";

/** Pure: the daemon's R/activation payload for an engine decision. */
export function activationPayload(d: {
  eventId: string;
  active: boolean;
  origin: Origin;
  reason: string;
  at: number;
  seq: number;
}): ActivationPayload {
  return {
    v: 1,
    eventId: d.eventId,
    active: d.active,
    origin: { kind: d.origin.kind, id: d.origin.id },
    reason: d.reason.slice(0, 500),
    at: isoTime(d.at),
    seq: d.seq,
  };
}

/** Pure: the R/alert payload of a bus alert (texts clipped to the schema's limits). */
export function alertPayload(a: Alert): AlertPayload {
  return {
    v: 1,
    code: a.code.slice(0, 64),
    severity: a.severity,
    message: a.message.slice(0, 1000),
    ...(a.eventId ? { eventId: a.eventId } : {}),
    ...(a.device ? { device: a.device.slice(0, 64) } : {}),
    at: isoTime(a.at),
  };
}
