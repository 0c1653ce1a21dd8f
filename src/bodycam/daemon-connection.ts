import { randomBytes } from "node:crypto";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import { readPem } from "../storage/input-file.js";
import type { BodycamConfig, MqttConfig } from "./config.js";
import type { EmbeddedBroker } from "./embedded-broker.js";
import type { MqttLinkOptions } from "./mqtt-link.js";
import { topicsFor } from "./topics.js";

/** The daemon's last will on R/status. */
export const OFFLINE_STATUS = JSON.stringify({ v: 1, online: false });

export interface DaemonConnection {
  linkOptions: MqttLinkOptions;
  /** Started when `mqtt.embeddedBroker.enabled`; the daemon connects to it over 3.1.1. */
  broker: EmbeddedBroker | null;
}

/**
 * How the daemon reaches its broker: the configured one (TLS client certificate or username/password),
 * or the embedded one, which it starts with the daemon and every paired body cam as users.
 */
export async function openDaemonConnection(args: {
  mqtt: MqttConfig;
  bodycams: BodycamConfig;
  vehicleId: string;
  clock: Clock;
  logger: Logger;
}): Promise<DaemonConnection> {
  const { mqtt, vehicleId } = args;
  const topics = topicsFor(vehicleId);
  let url = mqtt.url;
  let protocolVersion = mqtt.protocolVersion;
  let password = mqtt.password;
  let broker: EmbeddedBroker | null = null;
  if (mqtt.embeddedBroker.enabled) {
    password ??= randomBytes(18).toString("base64url");
    const { observers } = mqtt.embeddedBroker;
    // An observer under a taken name would replace that identity's password and rights.
    const taken = [mqtt.username, ...args.bodycams.paired.map((c) => c.id)];
    for (const [i, o] of observers.entries()) {
      if (taken.includes(o.username) || observers.findIndex((x) => x.username === o.username) !== i)
        throw new Error(
          `mqtt.embeddedBroker.observers[${i}].username '${o.username}' is already the daemon's, a paired body cam's or another observer's identity`,
        );
    }
    // Loaded only when configured: most cars run Mosquitto, and aedes costs ~10 MB of RSS.
    const { startEmbeddedBroker } = await import("./embedded-broker.js");
    broker = await startEmbeddedBroker({
      host: mqtt.embeddedBroker.host,
      port: mqtt.embeddedBroker.port,
      vehicleId,
      daemonUsername: mqtt.username,
      users: [
        { username: mqtt.username, password },
        ...args.bodycams.paired.flatMap((c) =>
          c.password ? [{ username: c.id, password: c.password }] : [],
        ),
        ...observers,
      ],
      observers: observers.map((o) => o.username),
      logger: args.logger,
    });
    url = broker.url;
    protocolVersion = 4;
  }
  const log = args.logger.child({ component: "mqtt" });
  // With a client certificate the broker takes the identity from its CN; send no username then.
  const certIdentity = mqtt.certFile !== undefined && password === undefined;
  return {
    broker,
    linkOptions: {
      url,
      // The client id is the identity (docs/protocol.md): the shipped brokers refuse or replace any other.
      clientId: mqtt.clientId ?? mqtt.username,
      username: certIdentity ? undefined : mqtt.username,
      password,
      ca: mqtt.caFile ? readPem(mqtt.caFile, "mqtt.caFile") : undefined,
      cert: mqtt.certFile ? readPem(mqtt.certFile, "mqtt.certFile") : undefined,
      key: mqtt.keyFile ? readPem(mqtt.keyFile, "mqtt.keyFile") : undefined,
      protocolVersion,
      sessionExpirySeconds: mqtt.sessionExpirySeconds,
      keepaliveSeconds: mqtt.keepaliveSeconds,
      will: { topic: topics.status, payload: OFFLINE_STATUS, retain: true },
      subscriptions: [topics.bodycamStatusAll, topics.bodycamActivationAll, topics.activation],
      reconnectMinMs: mqtt.reconnectMinMs,
      reconnectMaxMs: mqtt.reconnectMaxMs,
      clock: args.clock,
      onLog: (level, msg) => log[level](msg),
    },
  };
}
