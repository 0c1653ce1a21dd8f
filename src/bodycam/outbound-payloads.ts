import { isoTime } from "../core/clock.js";
import type { Alert, EventUploaded } from "../core/event-bus.js";
import type { Origin } from "../core/trigger.js";
import type { ActivationPayload, AlertPayload, UploadPayload } from "./payloads.js";

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

/** Pure: the R/upload announcement of an event whose manifest was uploaded and verified. */
export function uploadPayload(e: EventUploaded): UploadPayload {
  return {
    v: 1,
    kind: "event",
    // relative to the bucket's configured prefix, as the station's own prefix setting is
    key: e.key.startsWith(e.prefix) ? e.key.slice(e.prefix.length) : e.key,
    eventId: e.eventId,
    bucket: e.bucket,
    manifestKey: e.manifestKey,
    manifestSha256: e.manifestSha256,
    at: isoTime(e.at),
  };
}
