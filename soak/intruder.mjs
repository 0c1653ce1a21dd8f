// Hostile and broken MQTT traffic: an unpaired client (a valid broker user, but not paired with this car)
// that tries to start and stop recording and to spoof the car's own activation topic; a client without
// a client certificate; and malformed payloads sent under a paired body cam's identity.
import mqtt from "mqtt";

const connect = (url, tls, clientId) =>
  new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      ...tls,
      clientId,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 3000,
    });
    const fail = (why) => {
      clearTimeout(timer);
      client.end(true);
      reject(why instanceof Error ? why : new Error(why));
    };
    // A TLS handshake the broker refuses ends in "close" rather than "error": both count as refused.
    const timer = setTimeout(() => fail("no CONNACK within 5 s"), 5000);
    client.once("connect", () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.once("error", fail);
    client.once("close", () => fail("connection closed before CONNACK"));
  });

/** `p`, or a rejection after `ms` (a QoS 1 publish on a connection the broker closed never settles). */
function within(ms, p, what) {
  let timer;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** The malformed payloads, by name (each must be rejected without side effects). */
export const MALFORMED_PAYLOADS = {
  "not-json": "{active: true",
  empty: "",
  "json-array": "[1,2,3]",
  "wrong-version": JSON.stringify({ v: 99, active: true, at: new Date(0).toISOString() }),
  "wrong-types": JSON.stringify({ v: 1, active: "yes", at: 12 }),
  "missing-at": JSON.stringify({ v: 1, active: true }),
  "bad-timestamp": JSON.stringify({ v: 1, active: true, at: "yesterday" }),
  binary: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81]).toString("latin1"),
  huge: JSON.stringify({ v: 1, active: true, at: new Date().toISOString(), pad: "x".repeat(300_000) }),
  "deep-nesting": `${"[".repeat(5000)}${"]".repeat(5000)}`,
};

export class Intruder {
  /**
   * @param {{ url: string, vehicleId: string, rogue: { id: string, tls: object },
   *           pairedIdentity: { id: string, tls: object } }} opts
   *   rogue: a certificate from the car's CA whose CN is not paired (e.g. another car's body cam).
   */
  constructor(opts) {
    this.opts = opts;
    this.root = `camsync/v1/${opts.vehicleId}`;
    /** What was attempted: { at, kind, detail, outcome } */
    this.attempts = [];
  }

  /** An unpaired client publishes start (or stop) on its own, ACL-permitted, activation topic. */
  async rogueActivation(active) {
    const { url, rogue } = this.opts;
    const at = Date.now();
    try {
      const c = await connect(url, rogue.tls, `soak-rogue-${at}`);
      await within(
        3000,
        c.publishAsync(
          `${this.root}/bodycam/${rogue.id}/activation`,
          JSON.stringify({ v: 1, active, at: new Date().toISOString() }),
          { qos: 1 },
        ),
        "publish",
      );
      // and spoofs the car's own activation, which the broker's ACL must drop
      await within(
        3000,
        c.publishAsync(
          `${this.root}/activation`,
          JSON.stringify({
            v: 1,
            eventId: "20000101T000000Z-rogue-dead",
            active,
            origin: { kind: "cli", id: "rogue" },
            reason: "spoofed",
            at: new Date().toISOString(),
            seq: 999_999,
          }),
          { qos: 1 },
        ),
        "publish",
      );
      c.end(true);
      this.attempts.push({ at, kind: active ? "rogue-start" : "rogue-stop", outcome: "published" });
    } catch (err) {
      this.attempts.push({
        at,
        kind: active ? "rogue-start" : "rogue-stop",
        outcome: `not connected: ${err.message}`,
      });
    }
  }

  /** A client without a client certificate (only the CA): the broker must refuse the connection. */
  async badCredentials() {
    const at = Date.now();
    try {
      const c = await connect(this.opts.url, { ca: this.opts.pairedIdentity.tls.ca }, `soak-nocert-${at}`);
      c.end(true);
      this.attempts.push({ at, kind: "bad-credentials", outcome: "ACCEPTED" });
    } catch (err) {
      this.attempts.push({ at, kind: "bad-credentials", outcome: `refused: ${err.message}` });
    }
  }

  /**
   * A client-id hijack (issue 11, defect 6): under a paired cam's own credentials, connect again and again
   * with the daemon's client id for `durationMs`, each connection held `holdMs` (as the attacker did, 59
   * times in 15 s). Each connection's local port lets the broker's log tell which client id it was given.
   * @returns {Promise<{ at: number, localPort: number | null, outcome: string }[]>}
   */
  async hijack({ identity, clientId, durationMs, holdMs = 400 }) {
    const out = [];
    const end = Date.now() + durationMs;
    while (Date.now() < end) {
      const at = Date.now();
      try {
        const c = await connect(this.opts.url, identity.tls, clientId);
        const localPort = c.stream?.localPort ?? null;
        let closedAfterMs = null;
        c.once("close", () => {
          closedAfterMs = Date.now() - at;
        });
        await new Promise((r) => setTimeout(r, holdMs));
        c.end(true);
        out.push({ at, localPort, outcome: "connected", closedByBrokerAfterMs: closedAfterMs });
      } catch (err) {
        out.push({ at, localPort: null, outcome: `refused: ${err.message}` });
      }
    }
    this.attempts.push({
      at: out[0]?.at ?? Date.now(),
      kind: "hijack",
      detail: `${out.length} connections as ${identity.id} with client id ${clientId}`,
      outcome: `${out.filter((a) => a.outcome === "connected").length} accepted, ${out.filter((a) => a.outcome !== "connected").length} refused`,
    });
    return out;
  }

  /** Malformed payloads on a paired cam's activation and status topics (not retained). */
  async malformed(names) {
    const { url, pairedIdentity } = this.opts;
    const at = Date.now();
    try {
      const c = await connect(url, pairedIdentity.tls, `soak-garbage-${at}`);
      for (const name of names) {
        const payload = MALFORMED_PAYLOADS[name];
        await within(
          3000,
          c.publishAsync(`${this.root}/bodycam/${pairedIdentity.id}/activation`, payload, { qos: 1 }),
          "publish",
        );
        await within(
          3000,
          c.publishAsync(`${this.root}/bodycam/${pairedIdentity.id}/status`, payload, { qos: 1 }),
          "publish",
        );
      }
      c.end(true);
      this.attempts.push({ at, kind: "malformed-mqtt", detail: names, outcome: "published" });
    } catch (err) {
      this.attempts.push({
        at,
        kind: "malformed-mqtt",
        detail: names,
        outcome: `not connected: ${err.message}`,
      });
    }
  }
}
