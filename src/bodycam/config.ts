import { z } from "zod";
import { identifier, millis, seconds, section } from "../config/describe.js";

export const mqttConfigSchema = section(
  "Connection to the in-car MQTT broker (protocol: docs/protocol.md).",
  {
    url: z
      .string()
      .regex(/^(mqtts?|tcp|ssl|tls):\/\/\S+$/, "expected mqtt://HOST:PORT or mqtts://HOST:PORT")
      .default("mqtt://127.0.0.1:1883")
      .describe("Broker URL. mqtts:// for the TLS listener with client certificates (production Mosquitto)."),
    protocolVersion: z
      .union([z.literal(4), z.literal(5)])
      .default(5)
      .describe(
        "MQTT protocol: 5 (MQTT 5, session expiry, no-local) or 4 (MQTT 3.1.1). With embeddedBroker.enabled the daemon always speaks 3.1.1.",
      ),
    clientId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe(
        "Fixed MQTT client id (persistent session). Default: `username`. The shipped brokers tie client ids to identities: the embedded one refuses any other id, Mosquitto (use_username_as_clientid) replaces it.",
      ),
    username: z
      .string()
      .min(1)
      .max(64)
      .default("camsync")
      .describe(
        "The daemon's MQTT identity. On the TLS listener it is the client certificate's CN (use_identity_as_username); on the embedded broker it is checked with `password`.",
      ),
    password: z
      .string()
      .min(1)
      .optional()
      .describe("Password for username/password brokers (the embedded one)."),
    caFile: z
      .string()
      .optional()
      .describe("PEM file of the CA that signed the broker's certificate (mqtts://)."),
    certFile: z.string().optional().describe("PEM client certificate of the daemon (mqtts://)."),
    keyFile: z.string().optional().describe("PEM private key of the daemon's client certificate (mqtts://)."),
    sessionExpirySeconds: seconds(
      "Persistent session lifetime on the broker (MQTT 5 session expiry; 3.1.1 sessions never expire).",
      86_400,
      60,
      7 * 86_400,
    ),
    keepaliveSeconds: seconds("MQTT keepalive: a dead broker is noticed after 1.5× this.", 10, 2, 300),
    reconnectMinMs: millis("First reconnect delay after the broker is lost.", 250, 50, 60_000),
    reconnectMaxMs: millis("Longest reconnect delay (the delay doubles up to this).", 5_000, 100, 300_000),
    statusIntervalSeconds: seconds("Re-publish the retained status at least this often.", 30, 1, 3600),
    maxPayloadBytes: z
      .number()
      .int()
      .min(512)
      .max(262_144)
      .default(16_384)
      .describe("Received payloads larger than this are dropped (and counted) without being parsed."),
    embeddedBroker: section(
      "An MQTT broker inside the daemon (aedes, MQTT 3.1.1) for the demo and single-box installs.",
      {
        enabled: z
          .boolean()
          .default(false)
          .describe("Run the embedded broker; the daemon connects to it at `url`."),
        host: z.string().default("127.0.0.1").describe("Address the embedded broker listens on."),
        port: z.number().int().min(0).max(65_535).default(1883).describe("TCP port of the embedded broker."),
        observers: z
          .array(
            z.strictObject({
              username: identifier("An observer's MQTT username (and client id)."),
              password: z.string().min(8).max(256).describe("Its password."),
            }),
          )
          .max(8)
          .default([])
          .describe(
            "Read-only identities on the embedded broker, e.g. the station's fleet view (the demo's): they read every vehicle's R/status, R/activation and R/upload and publish nothing. Not the daemon's username nor a paired body cam's id.",
          ),
      },
    ),
  },
);

export const pairedBodycamSchema = z
  .strictObject({
    id: identifier("Body-cam id: its MQTT username (certificate CN) and its topic R/bodycam/{id}/."),
    name: z.string().max(100).optional().describe("Human name (officer's badge, device label)."),
    password: z
      .string()
      .min(1)
      .optional()
      .describe("Password of this body cam on the embedded broker (not used with client certificates)."),
  })
  .describe("One paired body cam.");

export const bodycamConfigSchema = section("Paired body cams and activation confirmation.", {
  paired: z
    .array(pairedBodycamSchema)
    .max(64)
    .default([])
    .refine((l) => new Set(l.map((c) => c.id)).size === l.length, "body-cam ids must be unique")
    .describe("Body cams paired with this car. Messages from other ids are ignored and alerted."),
  confirmTimeoutMs: millis(
    "Every paired, online body cam must report recording the event within this time after an activation.",
    3000,
    100,
    60_000,
  ),
  lowBatteryPercent: z
    .number()
    .min(0)
    .max(100)
    .default(15)
    .describe(
      "Alert (bodycam-battery-low) when a paired body cam reports its battery below this percentage.",
    ),
  maxResends: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(3)
    .describe(
      "How many times the activation is re-sent to a body cam that did not confirm (one per timeout).",
    ),
});

export type MqttConfig = z.output<typeof mqttConfigSchema>;
export type BodycamConfig = z.output<typeof bodycamConfigSchema>;
export type PairedBodycam = z.output<typeof pairedBodycamSchema>;
