import { type DecodeFailure, decodePayload } from "./payload-decoder.js";
import {
  type ActivationPayload,
  activationPayloadSchema,
  type BodycamActivationPayload,
  type BodycamStatusPayload,
  bodycamActivationPayloadSchema,
  bodycamStatusPayloadSchema,
} from "./payloads.js";
import { parseTopic, type Topics } from "./topics.js";

/** One received MQTT message, as the daemon sees it: classified by topic, checked, decoded. */
export type Inbound =
  | { kind: "bodycam-status"; bodycamId: string; status: BodycamStatusPayload }
  | { kind: "bodycam-activation"; bodycamId: string; activation: BodycamActivationPayload }
  /** R/activation that the daemon did not publish. */
  | { kind: "foreign-activation"; activation: ActivationPayload }
  /** R/activation the daemon published itself (its echo). */
  | { kind: "echo" }
  /** The broker's retained R/activation (published by this daemon, possibly before a restart). */
  | { kind: "retained-activation"; activation: ActivationPayload }
  | { kind: "unpaired"; bodycamId: string }
  | { kind: "invalid"; failure: DecodeFailure; detail: string }
  | { kind: "ignored" };

export interface InboundContext {
  topics: Topics;
  maxPayloadBytes: number;
  isPaired(bodycamId: string): boolean;
  /** True for a payload text this daemon published (recently) on R/activation. */
  isOwnActivation(text: string): boolean;
}

/** Pure: never throws, never trusts the payload. Unpaired devices' payloads are not even parsed. */
export function readInbound(
  ctx: InboundContext,
  topic: string,
  payload: Uint8Array,
  retain: boolean,
): Inbound {
  const t = parseTopic(ctx.topics, topic);
  const max = ctx.maxPayloadBytes;
  switch (t.kind) {
    case "activation": {
      if (!retain && payload.length <= max && ctx.isOwnActivation(Buffer.from(payload).toString("utf8"))) {
        return { kind: "echo" };
      }
      const d = decodePayload(activationPayloadSchema, payload, max);
      if (!d.ok) return { kind: "invalid", ...d };
      return retain
        ? { kind: "retained-activation", activation: d.value }
        : { kind: "foreign-activation", activation: d.value };
    }
    case "bodycam-status": {
      if (!ctx.isPaired(t.bodycamId)) return { kind: "unpaired", bodycamId: t.bodycamId };
      const d = decodePayload(bodycamStatusPayloadSchema, payload, max);
      return d.ok
        ? { kind: "bodycam-status", bodycamId: t.bodycamId, status: d.value }
        : { kind: "invalid", ...d };
    }
    case "bodycam-activation": {
      if (!ctx.isPaired(t.bodycamId)) return { kind: "unpaired", bodycamId: t.bodycamId };
      const d = decodePayload(bodycamActivationPayloadSchema, payload, max);
      return d.ok
        ? { kind: "bodycam-activation", bodycamId: t.bodycamId, activation: d.value }
        : { kind: "invalid", ...d };
    }
    default:
      return { kind: "ignored" };
  }
}
