import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodePayload, jsonDepth, MAX_PAYLOAD_DEPTH } from "./payload-decoder.js";
import {
  activationPayloadSchema,
  bodycamActivationPayloadSchema,
  bodycamStatusPayloadSchema,
} from "./payloads.js";

const b = (x: unknown) => Buffer.from(typeof x === "string" ? x : JSON.stringify(x));
const okStatus = {
  v: 1,
  online: true,
  recording: true,
  eventId: "20261126T142233Z-unit12-3f9a",
  battery: 80,
  at: "2026-11-26T14:22:33.123Z",
};

describe("decodePayload (MQTT v1, never throws)", () => {
  it("accepts a valid body-cam status and keeps unknown (vendor) fields", () => {
    const d = decodePayload(bodycamStatusPayloadSchema, b({ ...okStatus, vendorTemp: 41 }), 16_384);
    expect(d).toEqual({ ok: true, value: { ...okStatus, vendorTemp: 41 } });
  });

  it("accepts the last will of a body cam (online:false only)", () => {
    expect(decodePayload(bodycamStatusPayloadSchema, b({ v: 1, online: false }), 16_384).ok).toBe(true);
  });

  it.each(
    (
      [
        ["random bytes", randomBytes(300), "not-json"],
        ["empty payload", Buffer.alloc(0), "not-json"],
        ["invalid UTF-8 then JSON", Buffer.concat([Buffer.from([0xff, 0xfe]), b(okStatus)]), "not-json"],
        ["a JSON array", b([1, 2, 3]), "invalid"],
        ["a JSON string", b('"hello"'), "invalid"],
        ["null", b("null"), "invalid"],
        ["recording as a string", b({ ...okStatus, recording: "yes" }), "invalid"],
        ["battery out of range", b({ ...okStatus, battery: 101 }), "invalid"],
        ["eventId not an event id", b({ ...okStatus, eventId: "../../etc/passwd" }), "invalid"],
        ["timestamp not ISO-8601", b({ ...okStatus, at: "yesterday" }), "invalid"],
        ["v missing", b({ ...okStatus, v: undefined }), "invalid"],
        ["v = 0", b({ ...okStatus, v: 0 }), "invalid"],
        ["v as a string", b({ ...okStatus, v: "2" }), "invalid"],
        ["a future v", b({ ...okStatus, v: 2 }), "unsupported-version"],
        ["huge payload", b({ ...okStatus, pad: "x".repeat(20_000) }), "too-large"],
        ["deep nesting", b(`{"v":1,"x":${"[".repeat(5_000)}${"]".repeat(5_000)}}`), "too-deep"],
        ["deep nesting, unterminated", b(`${"{".repeat(10_000)}`), "too-deep"],
      ] as [string, Buffer, string][]
    ).map(([name, payload, failure]) => ({ name, payload, failure })),
  )("rejects $name as $failure", ({ payload, failure }) => {
    const d = decodePayload(bodycamStatusPayloadSchema, payload, 16_384);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.failure).toBe(failure);
  });

  it("does not count brackets inside strings as nesting", () => {
    const text = b({ ...okStatus, note: '[[[[[[[[[[[[[[[[{{{{{{{{{{{{{\\"[[[[' });
    expect(decodePayload(bodycamStatusPayloadSchema, text, 16_384).ok).toBe(true);
    expect(jsonDepth(b({ a: { b: [1, { c: [] }] } }), MAX_PAYLOAD_DEPTH)).toBe(5);
  });

  it("validates activations and body-cam activations", () => {
    const act = {
      v: 1,
      eventId: "20261126T142233Z-unit12-3f9a",
      active: true,
      origin: { kind: "bodycam", id: "bc1" },
      reason: "body cam bc1 started",
      at: "2026-11-26T14:22:33.123Z",
      seq: 7,
    };
    expect(decodePayload(activationPayloadSchema, b(act), 16_384).ok).toBe(true);
    expect(
      decodePayload(activationPayloadSchema, b({ ...act, origin: { kind: "radio", id: "x" } }), 16_384).ok,
    ).toBe(false);
    expect(decodePayload(activationPayloadSchema, b({ ...act, seq: -1 }), 16_384).ok).toBe(false);
    expect(
      decodePayload(bodycamActivationPayloadSchema, b({ v: 1, active: true, at: act.at }), 16_384).ok,
    ).toBe(true);
    expect(decodePayload(bodycamActivationPayloadSchema, b({ v: 1, active: 1, at: act.at }), 16_384).ok).toBe(
      false,
    );
  });

  it("survives a thousand random and mutated payloads", () => {
    for (let i = 0; i < 1000; i++) {
      const base = b(okStatus);
      const mutated = Buffer.from(base);
      for (let k = 0; k < 1 + (i % 5); k++) mutated[(i * 31 + k * 17) % mutated.length] = (i * 7 + k) & 0xff;
      expect(() =>
        decodePayload(bodycamStatusPayloadSchema, i % 2 ? mutated : randomBytes(i % 200), 16_384),
      ).not.toThrow();
    }
  });
});
