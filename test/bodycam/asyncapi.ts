import { stringify } from "yaml";
import { PAYLOAD_SCHEMAS, type PayloadName, payloadJsonSchema } from "../../src/bodycam/payloads.js";

/**
 * docs/asyncapi.yaml, generated from the payload schemas in payloads.ts (the same ones the daemon
 * validates with). `test/bodycam/asyncapi.test.ts` fails when the committed document is stale and
 * rewrites it with UPDATE_DOCS=1.
 */
const SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12";

interface ChannelSpec {
  name: PayloadName;
  address: string;
  title: string;
  summary: string;
  retain: boolean;
  /** From the daemon's point of view. */
  action: "send" | "receive";
}

const CHANNELS: ChannelSpec[] = [
  {
    name: "status",
    address: "camsync/v1/{vehicleId}/status",
    title: "Car status",
    summary:
      'The car\'s state, retained, re-published on every change, every statusIntervalSeconds and after every reconnect. Last will: {"v":1,"online":false} (retained).',
    retain: true,
    action: "send",
  },
  {
    name: "activation",
    address: "camsync/v1/{vehicleId}/activation",
    title: "Car activation",
    summary:
      "The car's activation, retained. A body cam records while `active` is true and confirms by reporting `recording: true` with the `eventId` in its status. Re-sent to cams that do not confirm within confirmTimeoutMs.",
    retain: true,
    action: "send",
  },
  {
    name: "alert",
    address: "camsync/v1/{vehicleId}/alert",
    title: "Alert",
    summary:
      "Something failed or needs attention (bodycam-unconfirmed, bodycam-unpaired, bodycam-offline, …). Not retained.",
    retain: false,
    action: "send",
  },
  {
    name: "upload",
    address: "camsync/v1/{vehicleId}/upload",
    title: "Upload announcement",
    summary:
      "An event's manifest was uploaded to the storage server and verified (after its files; again after a tag amends it). Not retained. A hint for the station, which ingests that prefix at once; it still lists the bucket and verifies every object. Carried to the agency broker by the fleet bridge.",
    retain: false,
    action: "send",
  },
  {
    name: "bodycamStatus",
    address: "camsync/v1/{vehicleId}/bodycam/{bodycamId}/status",
    title: "Body-cam status",
    summary:
      'A body cam\'s state, retained, published on connect and on every change. Last will: {"v":1,"online":false,…} (retained).',
    retain: true,
    action: "receive",
  },
  {
    name: "bodycamActivation",
    address: "camsync/v1/{vehicleId}/bodycam/{bodycamId}/activation",
    title: "Body-cam activation",
    summary:
      "The officer started (active: true) or stopped (active: false) the body cam by hand. A start from a paired cam starts or joins the car's event, re-published on the car's activation with origin.kind = bodycam. Not retained.",
    retain: false,
    action: "receive",
  },
];

const PARAMETERS = {
  vehicleId: { description: "The car's vehicle.id (1-32 letters, digits, '-' or '_')." },
  bodycamId: { description: "The body cam's id: its MQTT identity (client-certificate CN or username)." },
};

export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const c of CHANNELS) {
    const params = Object.fromEntries(
      Object.entries(PARAMETERS).filter(([p]) => c.address.includes(`{${p}}`)),
    );
    channels[c.name] = {
      address: c.address,
      title: c.title,
      parameters: params,
      messages: { [c.name]: { $ref: `#/components/messages/${c.name}` } },
    };
    operations[`${c.action === "send" ? "publish" : "follow"}${c.name[0]?.toUpperCase()}${c.name.slice(1)}`] =
      {
        action: c.action,
        channel: { $ref: `#/channels/${c.name}` },
        summary: c.summary,
        bindings: { mqtt: { qos: 1, retain: c.retain, bindingVersion: "0.2.0" } },
      };
    messages[c.name] = {
      name: c.name,
      title: c.title,
      contentType: "application/json",
      payload: { schemaFormat: SCHEMA_FORMAT, schema: { $ref: `#/components/schemas/${c.name}` } },
    };
    schemas[c.name] = payloadJsonSchema(c.name);
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "camsync MQTT protocol",
      version: "1.0.0",
      description: [
        "Body-cam sync between a patrol car (the camsync daemon) and its officers' body cams, over the car's MQTT broker.",
        "JSON payloads, QoS 1, MQTT 3.1.1 and 5. Timestamps are UTC ISO-8601 (published with milliseconds).",
        "Receivers accept unknown fields (vendors add their own), validate the known ones, and reject a `v` greater than 1.",
        "Identity is the MQTT username (client-certificate CN on the TLS listener); the broker's ACL lets a body cam write only under its own bodycam/{id}/.",
        "Operations are described from the daemon's side. Prose, examples and the vendor guide: docs/protocol.md.",
      ].join("\n"),
      license: { name: "MIT" },
    },
    defaultContentType: "application/json",
    servers: {
      car: {
        host: "{carHost}:8883",
        protocol: "secure-mqtt",
        description: "The in-car Mosquitto (config/mosquitto/): TLS, client certificate required, ACL.",
        variables: {
          carHost: { description: "The in-car computer on the car's Wi-Fi.", default: "car.local" },
        },
        security: [{ $ref: "#/components/securitySchemes/clientCertificate" }],
      },
      embedded: {
        host: "127.0.0.1:1883",
        protocol: "mqtt",
        protocolVersion: "3.1.1",
        description:
          "The broker embedded in the daemon (demo, single-box installs): username/password, same ACL.",
        security: [{ $ref: "#/components/securitySchemes/password" }],
      },
    },
    channels,
    operations,
    components: {
      messages,
      schemas,
      securitySchemes: {
        clientCertificate: {
          type: "X509",
          description: "Client certificate signed by the car's CA; CN = identity.",
        },
        password: {
          type: "userPassword",
          description: "Username = identity (camsync for the daemon, the body-cam id).",
        },
      },
    },
  };
}

export function asyncApiYaml(): string {
  return `# Generated from src/bodycam/payloads.ts by test/bodycam/asyncapi.ts — do not edit by hand.\n# Regenerate: UPDATE_DOCS=1 npx vitest run test/bodycam/asyncapi.test.ts\n${stringify(asyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** Standalone JSON Schema files (docs/schemas/{name}.schema.json), for vendors' validators. */
export function jsonSchemaFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(PAYLOAD_SCHEMAS) as PayloadName[]) {
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: `https://github.com/camsync/camsync/docs/schemas/${name}.schema.json`,
      ...payloadJsonSchema(name),
    };
    out[`${name}.schema.json`] = `${JSON.stringify(schema, null, 2)}\n`;
  }
  return out;
}
