// The soak's witness on the broker: subscribes to everything under the vehicle's root and keeps every
// message with its arrival time. It survives broker restarts (mqtt.js reconnects; retained messages arrive
// again, flagged retained).
import mqtt from "mqtt";

export class Observer {
  /** @param {{ url: string, tls: { ca: Buffer, cert: Buffer, key: Buffer }, vehicleId: string }} opts */
  constructor(opts) {
    this.opts = opts;
    this.root = `camsync/v1/${opts.vehicleId}`;
    /** { at, topic, retain, payload (parsed JSON or null), text } */
    this.messages = [];
    this.client = null;
  }

  async start() {
    const { url, tls } = this.opts;
    const client = mqtt.connect(url, {
      ...tls,
      clientId: "observer", // the identity's own (the broker ties client ids to identities)
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 200,
      connectTimeout: 5000,
    });
    this.client = client;
    client.on("message", (topic, buf, packet) => {
      const text = buf.toString("utf8");
      let payload = null;
      try {
        payload = JSON.parse(text);
      } catch {}
      this.messages.push({
        at: Date.now(),
        topic,
        retain: packet.retain,
        payload,
        text: text.slice(0, 2000),
      });
    });
    client.on("error", () => {});
    client.on("connect", () => client.subscribe(`${this.root}/#`, { qos: 1 }));
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("observer: no broker")), 10_000);
      client.once("connect", () => {
        clearTimeout(t);
        resolve(undefined);
      });
    });
  }

  async stop() {
    await this.client?.endAsync();
  }

  /** Messages on `R/{leaf}` (e.g. "activation", "alert", "status"). */
  on(leaf) {
    const topic = `${this.root}/${leaf}`;
    return this.messages.filter((m) => m.topic === topic);
  }
}
