import { z } from "zod";
import { EVENT_ID_PATTERN } from "../core/event-id.js";
import { ORIGIN_KINDS } from "../core/trigger.js";

/**
 * MQTT protocol v1 payloads: the single source of the wire format. The daemon and the reference body
 * cam validate with these; docs/asyncapi.yaml embeds their JSON Schema (generated, checked by a test).
 *
 * Forward compatibility: unknown fields are accepted (vendors add their own) and known fields are
 * validated. A payload whose `v` is greater than 1 is a future protocol and is rejected as such.
 */
export const PROTOCOL_VERSION = 1;

const v = z.literal(PROTOCOL_VERSION).describe("Protocol version. Receivers reject a higher one.");
const at = z.iso
  .datetime({ offset: true })
  .describe("When this was true, UTC ISO-8601 (published with milliseconds: 2026-11-26T14:22:33.123Z).");
const eventId = z
  .string()
  .regex(EVENT_ID_PATTERN)
  .describe("The car's event id, e.g. 20261126T142233Z-unit12-3f9a.");
const deviceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/)
  .describe("A device id (1-32 letters, digits, '-' or '_').");
const health = z
  .looseObject({
    state: z.enum(["ok", "degraded", "down", "unknown"]).describe("Worst state among the parts."),
    detail: z.string().max(500).optional().describe("Why, when not ok."),
  })
  .describe("Health of one part of the car's system.");

const ms = z.number().min(0).nullable();
const latencySummary = z.object({
  count: z.number().int().min(0).describe("Samples since the daemon started."),
  p50: ms.describe("Median of the recent samples, ms (null before the first)."),
  p99: ms.describe("99th percentile of the recent samples, ms."),
  max: ms.describe("Largest recent sample, ms."),
});

export const bodycamSummarySchema = z
  .looseObject({
    id: deviceId,
    online: z.boolean(),
    recording: z.boolean(),
    eventId: eventId.nullable(),
    battery: z.number().min(0).max(100).nullable(),
    confirmed: z.boolean().describe("Confirmed the current event (false while idle)."),
  })
  .describe("A paired body cam as the car sees it.");

export const backlogSchema = z
  .looseObject({
    events: z
      .number()
      .int()
      .min(0)
      .describe("Finished events waiting to be uploaded (or re-sent after a tag)."),
    oldestStartedAt: at
      .nullable()
      .describe(
        "When the oldest waiting event started (null when none waits): how stale the station's copy is.",
      ),
  })
  .describe("The car's offload queue: finished events not yet uploaded and verified on the storage server.");

const onlineStatus = z.looseObject({
  v,
  online: z.literal(true),
  state: z.enum(["idle", "active", "post-roll"]).describe("The activation engine's state."),
  eventId: eventId.nullable().describe("The open event, null when idle."),
  recorder: health.describe("Dash recorder health."),
  canBus: health
    .optional()
    .describe("Vehicle bus (CAN) health. Absent from cars older than this field: read bus there."),
  bus: health.meta({
    description: "Deprecated: the same as canBus, kept for v1 clients. Read canBus.",
    deprecated: true,
  }),
  bodycams: z.array(bodycamSummarySchema).max(64).describe("Every paired body cam."),
  droppedPayloads: z.number().int().min(0).optional().describe("Invalid MQTT payloads dropped since start."),
  latency: z
    .object({
      triggerToPublishMs: latencySummary.describe(
        "A trigger reaching the activation engine → the activation handed to the broker connection.",
      ),
      publishToConfirmationMs: latencySummary.describe(
        "The activation published → a body cam's status confirming it records the event (per cam).",
      ),
    })
    .optional()
    .describe("The car's own trigger → body-cam latencies, over its most recent activations."),
  backlog: backlogSchema
    .optional()
    .describe("The offload queue. Absent when offload is disabled, and from cars older than this field."),
  at,
});
const offlineStatus = z.looseObject({ v, online: z.literal(false), at: at.optional() });

export const statusPayloadSchema = z
  .discriminatedUnion("online", [onlineStatus, offlineStatus])
  .describe('R/status: the car\'s state (retained). The last will is {"v":1,"online":false}.');

export const activationPayloadSchema = z
  .looseObject({
    v,
    eventId,
    active: z.boolean().describe("true: record this event. false: the event ended (post-roll over)."),
    origin: z
      .looseObject({
        kind: z.enum(ORIGIN_KINDS).describe("What started or joined the event."),
        id: z.string().min(1).max(64).describe("Which input of that kind (body-cam id for kind bodycam)."),
      })
      .describe("The trigger behind this activation."),
    reason: z.string().max(500).describe("Human-readable reason."),
    at,
    seq: z.number().int().min(0).describe("Increases with every decision of the car; orders activations."),
  })
  .describe("R/activation: the car's activation (retained). Body cams record while active is true.");

export const alertPayloadSchema = z
  .looseObject({
    v,
    code: z.string().min(1).max(64).describe("Machine-readable code, e.g. bodycam-unconfirmed."),
    severity: z.enum(["info", "warning", "critical"]),
    message: z.string().max(1000),
    eventId: eventId.optional(),
    device: z.string().max(64).optional().describe("The device concerned (body-cam id, camera name)."),
    at,
  })
  .describe("R/alert: something failed or needs attention (not retained).");

const bodycamOnline = z.looseObject({
  v,
  online: z.literal(true),
  recording: z.boolean().describe("The body cam is recording now."),
  eventId: eventId.nullable().describe("The car event it is recording for (from R/activation), or null."),
  battery: z.number().min(0).max(100).optional().describe("Battery, percent."),
  at,
});
const bodycamOffline = z.looseObject({
  v,
  online: z.literal(false),
  recording: z.boolean().optional(),
  eventId: eventId.nullable().optional(),
  battery: z.number().min(0).max(100).optional(),
  at: at.optional(),
});

export const bodycamStatusPayloadSchema = z
  .discriminatedUnion("online", [bodycamOnline, bodycamOffline])
  .describe("R/bodycam/{id}/status: the body cam's state (retained, last will online:false).");

export const bodycamActivationPayloadSchema = z
  .looseObject({
    v,
    active: z.boolean().describe("true: the officer started the body cam; false: stopped it."),
    at,
  })
  .describe(
    "R/bodycam/{id}/activation: the officer started or stopped this body cam by hand (not retained).",
  );

const objectPrefix = z
  .string()
  .max(300)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_/-]*\/$/, "expected an object prefix ending in '/'");

export const uploadPayloadSchema = z
  .looseObject({
    v,
    kind: z.enum(["event", "bodycam-clip"]).describe("A car event, or a body-cam clip (from a dock)."),
    key: objectPrefix.describe(
      "The uploaded prefix without the bucket's configured prefix: {vehicleId}/{eventId}/ or bodycams/{camId}/{clipId}/.",
    ),
    eventId: eventId.optional().describe("The car's event id (kind event)."),
    bucket: z.string().min(1).max(255).optional().describe("The bucket it was uploaded to."),
    manifestKey: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe("The manifest's full object key in the bucket (with the configured prefix)."),
    manifestSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional()
      .describe("SHA-256 of the manifest as uploaded (lowercase hex)."),
    at: at.describe("When the upload of the manifest was verified (the upload time)."),
  })
  .describe(
    "R/upload: an event's manifest was uploaded and verified (not retained). A hint: the station still lists the bucket and verifies everything.",
  );

export type StatusPayload = z.output<typeof statusPayloadSchema>;
export type ActivationPayload = z.output<typeof activationPayloadSchema>;
export type AlertPayload = z.output<typeof alertPayloadSchema>;
export type BodycamStatusPayload = z.output<typeof bodycamStatusPayloadSchema>;
export type BodycamActivationPayload = z.output<typeof bodycamActivationPayloadSchema>;
export type BodycamSummary = z.output<typeof bodycamSummarySchema>;
export type UploadPayload = z.output<typeof uploadPayloadSchema>;
export type Backlog = z.output<typeof backlogSchema>;

/** Every payload of the protocol, by AsyncAPI message name. */
export const PAYLOAD_SCHEMAS = {
  status: statusPayloadSchema,
  activation: activationPayloadSchema,
  alert: alertPayloadSchema,
  bodycamStatus: bodycamStatusPayloadSchema,
  bodycamActivation: bodycamActivationPayloadSchema,
  upload: uploadPayloadSchema,
} as const;

export type PayloadName = keyof typeof PAYLOAD_SCHEMAS;

export function payloadJsonSchema(name: PayloadName): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(PAYLOAD_SCHEMAS[name], { io: "input" });
  return schema;
}
