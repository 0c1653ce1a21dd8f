import type { z } from "zod";
import { PROTOCOL_VERSION } from "./payloads.js";

/** Received payloads deeper than this are dropped before JSON.parse sees them. */
export const MAX_PAYLOAD_DEPTH = 8;

export type DecodeFailure = "too-large" | "too-deep" | "not-json" | "unsupported-version" | "invalid";

/** A zero count for every kind of decode failure (status shows them all, even when none happened). */
export const zeroDecodeFailures = (): Record<DecodeFailure, number> => ({
  "too-large": 0,
  "too-deep": 0,
  "not-json": 0,
  "unsupported-version": 0,
  invalid: 0,
});

export type Decoded<T> = { ok: true; value: T } | { ok: false; failure: DecodeFailure; detail: string };

/** Nesting depth of the JSON text, or -1 as soon as it exceeds `limit` (strings are skipped). */
export function jsonDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > limit) return -1;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * Decode one received payload: size and nesting limits first (cheap, before parsing), then JSON, then
 * the protocol version, then the schema. Never throws.
 */
export function decodePayload<S extends z.ZodType>(
  schema: S,
  payload: Uint8Array,
  maxBytes: number,
): Decoded<z.output<S>> {
  if (payload.length > maxBytes) {
    return { ok: false, failure: "too-large", detail: `${payload.length} bytes > limit ${maxBytes}` };
  }
  if (jsonDepth(payload, MAX_PAYLOAD_DEPTH) < 0) {
    return { ok: false, failure: "too-deep", detail: `nesting deeper than ${MAX_PAYLOAD_DEPTH}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString("utf8"));
  } catch (err) {
    return { ok: false, failure: "not-json", detail: err instanceof Error ? err.message : String(err) };
  }
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const version = (json as { v?: unknown }).v;
    if (typeof version === "number" && version > PROTOCOL_VERSION) {
      return {
        ok: false,
        failure: "unsupported-version",
        detail: `protocol v${version} is newer than this daemon's v${PROTOCOL_VERSION}`,
      };
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "invalid";
    return { ok: false, failure: "invalid", detail: `${where} (${parsed.error.issues.length} issue(s))` };
  }
  return { ok: true, value: parsed.data };
}

export function encodePayload(value: object): Buffer {
  return Buffer.from(JSON.stringify(value));
}
