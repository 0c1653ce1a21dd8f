import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PAYLOAD_SCHEMAS, type PayloadName, payloadJsonSchema } from "../../src/bodycam/payloads.js";
import { asyncApiDocument, asyncApiYaml, jsonSchemaFiles } from "./asyncapi.js";

const docs = resolve(import.meta.dirname, "../../docs");
const update = process.env.UPDATE_DOCS === "1";

/** Compared by content, not layout (the formatter may re-wrap the JSON files). */
function checkFile(path: string, text: string, parseText: (t: string) => unknown): void {
  if (update) {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, text);
  }
  const hint = "regenerate with UPDATE_DOCS=1 npx vitest run src/bodycam/asyncapi.test.ts";
  expect(existsSync(path), `${path} missing: ${hint}`).toBe(true);
  expect(parseText(readFileSync(path, "utf8")), `${path} is stale: ${hint}`).toEqual(parseText(text));
}

const at = "2026-11-26T14:22:33.123Z";
const ev = "20261126T142233Z-unit12-3f9a";
/** An idle car's status (the backlog samples add theirs). */
const idle = {
  v: 1,
  online: true,
  state: "idle",
  eventId: null,
  recorder: { state: "ok" },
  bus: { state: "ok" },
  bodycams: [],
  at,
};
const SAMPLES: Record<PayloadName, unknown[]> = {
  status: [
    { v: 1, online: false },
    {
      v: 1,
      online: true,
      state: "active",
      eventId: ev,
      recorder: { state: "ok" },
      bus: { state: "unknown" },
      bodycams: [{ id: "bc1", online: true, recording: true, eventId: ev, battery: 80, confirmed: true }],
      at,
    },
    { ...idle, backlog: { events: 2, oldestStartedAt: at } },
    { ...idle, backlog: { events: 0, oldestStartedAt: null } },
    { ...idle, backlog: { events: -1, oldestStartedAt: null } },
    {
      v: 1,
      online: true,
      state: "busy",
      eventId: null,
      recorder: { state: "ok" },
      bus: { state: "ok" },
      bodycams: [],
      at,
    },
    { v: 2, online: false },
  ],
  activation: [
    { v: 1, eventId: ev, active: true, origin: { kind: "bodycam", id: "bc1" }, reason: "r", at, seq: 3 },
    {
      v: 1,
      eventId: ev,
      active: true,
      origin: { kind: "bodycam", id: "bc1" },
      reason: "r",
      at,
      seq: 3,
      extra: 1,
    },
    { v: 1, eventId: ev, active: "true", origin: { kind: "bodycam", id: "bc1" }, reason: "r", at, seq: 3 },
    { v: 1, eventId: "x", active: true, origin: { kind: "bodycam", id: "bc1" }, reason: "r", at, seq: 3 },
  ],
  alert: [
    { v: 1, code: "bodycam-unconfirmed", severity: "critical", message: "m", eventId: ev, device: "bc1", at },
    { v: 1, code: "x", severity: "fatal", message: "m", at },
  ],
  bodycamStatus: [
    { v: 1, online: true, recording: false, eventId: null, at },
    { v: 1, online: true, recording: true, eventId: ev, battery: 55.5, at, vendor: { fw: 1 } },
    { v: 1, online: false },
    { v: 1, online: true, recording: true, eventId: ev, battery: 120, at },
    { v: 1, online: true, recording: true, at },
  ],
  upload: [
    {
      v: 1,
      kind: "event",
      key: `unit12/${ev}/`,
      eventId: ev,
      bucket: "evidence",
      manifestKey: `cars/unit12/${ev}/manifest.json`,
      manifestSha256: "a".repeat(64),
      at,
    },
    { v: 1, kind: "bodycam-clip", key: "bodycams/bc1/20261126T142235Z-bc1-9a0c/", at },
    { v: 1, kind: "event", key: "../../etc/", at },
    { v: 1, kind: "event", key: `unit12/${ev}`, at },
    { v: 1, kind: "event", key: `unit12/${ev}/`, manifestSha256: "A".repeat(64), at },
    { v: 1, kind: "event", key: `unit12/${ev}/` },
  ],
  bodycamActivation: [
    { v: 1, active: true, at },
    { v: 1, active: false, at: "2026-11-26T14:22:33Z" },
    { v: 1, active: true },
    { v: 1, active: true, at: "tomorrow" },
  ],
};

describe("protocol documents (generated from the payload schemas)", () => {
  it("docs/asyncapi.yaml is up to date", () => {
    checkFile(join(docs, "asyncapi.yaml"), asyncApiYaml(), parse);
  });

  it("docs/schemas/*.schema.json are up to date", () => {
    for (const [name, text] of Object.entries(jsonSchemaFiles()))
      checkFile(join(docs, "schemas", name), text, JSON.parse);
  });

  it("describes every payload, with QoS 1 and the right retain flag", () => {
    const doc = asyncApiDocument() as {
      operations: Record<string, { bindings: { mqtt: { qos: number; retain: boolean } } }>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.components.schemas).sort()).toEqual(Object.keys(PAYLOAD_SCHEMAS).sort());
    const retain = Object.fromEntries(
      Object.entries(doc.operations).map(([k, o]) => [k, o.bindings.mqtt.retain]),
    );
    expect(retain).toEqual({
      publishStatus: true,
      publishActivation: true,
      publishAlert: false,
      publishUpload: false,
      followBodycamStatus: true,
      followBodycamActivation: false,
    });
  });

  it("the published JSON Schemas accept and reject exactly what the daemon's validator does", () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true, formats: { "date-time": true } });
    for (const [name, samples] of Object.entries(SAMPLES) as [PayloadName, unknown[]][]) {
      const validate = ajv.compile(payloadJsonSchema(name));
      for (const sample of samples) {
        const zodOk = PAYLOAD_SCHEMAS[name].safeParse(sample).success;
        expect(validate(sample), `${name}: ${JSON.stringify(sample)}`).toBe(zodOk);
      }
      expect(samples.some((s) => !PAYLOAD_SCHEMAS[name].safeParse(s).success)).toBe(true);
      expect(samples.some((s) => PAYLOAD_SCHEMAS[name].safeParse(s).success)).toBe(true);
    }
  });
});
