import { timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";
import type { Logger } from "../core/logger.js";
import { type AclRules, isAllowed } from "./acl.js";

export interface BrokerUser {
  username: string;
  password: string;
}

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  vehicleId: string;
  daemonUsername: string;
  /** The daemon and every paired body cam (and any extra device allowed to connect). */
  users: BrokerUser[];
  /** Users (among `users`) that only read: every vehicle's status, activation and uploads (acl.ts). */
  observers?: readonly string[];
  logger: Logger;
}

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

function samePassword(expected: string, given: Buffer | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  return a.length === given.length && timingSafeEqual(a, given);
}

/**
 * An MQTT 3.1.1 broker inside the process (aedes) for the demo and single-box installs. It enforces the
 * same identity and ACL rules as the shipped Mosquitto config: username/password instead of client
 * certificates, then `isAllowed` on every publish (including last wills) and every subscription.
 * A client's MQTT client id must be its username (CONNACK 2, identifier rejected, otherwise): one
 * identity cannot take over another's connection or persistent session (Mosquitto:
 * `use_username_as_clientid`).
 */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = opts.logger.child({ component: "mqtt-broker" });
  const rules: AclRules = { daemonUsername: opts.daemonUsername, observers: opts.observers ?? [] };
  const users = new Map(opts.users.map((u) => [u.username, u.password]));
  const usernames = new WeakMap<object, string>();
  const aedes = await Aedes.createBroker({ drainTimeout: 10_000, maxTopicLevels: 10 });

  aedes.authenticate = (client, username, password, done) => {
    const expected = username === undefined ? undefined : users.get(username);
    if (username === undefined || expected === undefined || !samePassword(expected, password)) {
      log.warn({ clientId: client.id, username }, "refused connection: unknown user or wrong password");
      const err = Object.assign(new Error("bad username or password"), { returnCode: 4 });
      done(err as Parameters<typeof done>[0], false);
      return;
    }
    if (client.id !== username) {
      // The client id is the identity: anything else could take over another identity's session.
      log.warn({ clientId: client.id, username }, "refused connection: client id is not the identity's own");
      const err = Object.assign(new Error(`client id must be '${username}'`), { returnCode: 2 });
      done(err as Parameters<typeof done>[0], false);
      return;
    }
    usernames.set(client, username);
    done(null, true);
  };
  aedes.authorizePublish = (client, packet, done) => {
    const username = client ? usernames.get(client) : undefined;
    if (!isAllowed(rules, username, "publish", packet.topic)) {
      log.warn({ clientId: client?.id, username, topic: packet.topic }, "refused publish (ACL)");
      done(new Error(`publish to ${packet.topic} not authorised`));
      return;
    }
    done(null);
  };
  aedes.authorizeSubscribe = (client, sub, done) => {
    const username = usernames.get(client);
    if (!isAllowed(rules, username, "subscribe", sub.topic)) {
      log.warn({ clientId: client.id, username, topic: sub.topic }, "refused subscription (ACL)");
      done(null, null);
      return;
    }
    done(null, sub);
  };

  const server: Server = createServer((socket) => {
    socket.setNoDelay(true); // activations are tiny and latency-critical (no Nagle + delayed-ACK stall)
    aedes.handle(socket);
  });
  server.listen(opts.port, opts.host);
  try {
    await once(server, "listening");
  } catch (err) {
    // e.g. EADDRINUSE: aedes' heartbeat timers would otherwise keep the process alive after stop
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  log.info({ host: opts.host, port }, "embedded MQTT broker listening (MQTT 3.1.1)");

  return {
    host: opts.host,
    port,
    url: `mqtt://${opts.host}:${port}`,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
