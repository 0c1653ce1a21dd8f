import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";

/**
 * The shipped fleet bridge (config/mosquitto/bridge.conf) between two real Mosquitto brokers on loopback:
 * the car's, with the bridge file included as shipped (only the address and certificate paths
 * substituted), and a central one with a TLS listener that requires client certificates and an ACL
 * letting each car write only under its own prefix.
 */
const MOSQUITTO = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].find((p) => existsSync(p));
const haveOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const SHIPPED = join(repoRoot, "config/mosquitto/bridge.conf");
/** Started as root, mosquitto would switch to the `mosquitto` user, who cannot read the private temp dir. */
const RUN_AS = `user ${userInfo().username}`;

if (!MOSQUITTO || !haveOpenssl) {
  console.warn("skipping the fleet bridge test: needs mosquitto and openssl");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

async function waitForPort(port: number, broker: Broker, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection(port, "127.0.0.1");
      c.once("connect", () => {
        c.destroy();
        resolve(true);
      });
      c.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline || broker.proc.exitCode !== null) {
      throw new Error(`mosquitto is not listening on ${port}:\n${broker.log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A throwaway fleet PKI: CA, the central broker's server certificate, client certificates by CN. */
function makeCerts(dir: string, clients: string[]): void {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ecKey = (name: string) =>
    ssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`);
  ecKey("ca");
  ssl(
    "req",
    "-x509",
    "-new",
    "-key",
    "ca.key",
    "-subj",
    "/CN=camsync test fleet CA",
    "-days",
    "2",
    "-out",
    "ca.crt",
  );
  const sign = (name: string, cn: string, ext: string) => {
    ecKey(name);
    ssl("req", "-new", "-key", `${name}.key`, "-subj", `/CN=${cn}`, "-out", `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.crt`,
    );
  };
  sign("central", "central.test", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  for (const cn of clients) sign(cn, cn, "extendedKeyUsage=clientAuth\n");
}

interface Broker {
  proc: ChildProcess;
  log: string;
}

function startBroker(conf: string, brokers: Broker[]): Broker {
  const proc = spawn(MOSQUITTO ?? "mosquitto", ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  const b: Broker = { proc, log: "" };
  proc.stderr?.on("data", (c: Buffer) => {
    b.log += c.toString();
  });
  proc.stdout?.on("data", (c: Buffer) => {
    b.log += c.toString();
  });
  brokers.push(b);
  return b;
}

async function stopBroker(b: Broker): Promise<void> {
  if (b.proc.exitCode !== null || b.proc.signalCode !== null) return;
  const exited = new Promise((r) => b.proc.once("exit", r));
  b.proc.kill("SIGTERM");
  await exited;
}

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

function collect(client: MqttClient): Received[] {
  const got: Received[] = [];
  client.on("message", (topic, payload, packet) =>
    got.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  return got;
}

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!MOSQUITTO || !haveOpenssl)("fleet bridge (config/mosquitto/bridge.conf)", () => {
  let dir = "";
  const brokers: Broker[] = [];
  const clients: MqttClient[] = [];
  let carPort = 0;
  let centralPort = 0;
  let centralConf = "";
  let central: Broker;

  const tls = (cn: string) => ({
    ca: readFileSync(join(dir, "ca.crt")),
    cert: readFileSync(join(dir, `${cn}.crt`)),
    key: readFileSync(join(dir, `${cn}.key`)),
    rejectUnauthorized: true,
  });
  const dispatch = async () => {
    const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${centralPort}`, {
      ...tls("dispatch"),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    clients.push(c);
    return c;
  };
  const car = async () => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${carPort}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "camsync-bridge-"));
    makeCerts(dir, ["unit12", "dispatch"]);
    [carPort, centralPort] = [await freePort(), await freePort()];
    writeFileSync(
      join(dir, "fleet.acl"),
      "user dispatch\ntopic read #\ntopic read $SYS/#\n\npattern write camsync/v1/%u/#\npattern write $SYS/broker/connection/%u/state\n",
    );
    centralConf = join(dir, "central.conf");
    writeFileSync(
      centralConf,
      [
        "persistence false",
        RUN_AS,
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        "log_type notice",
        `listener ${centralPort} 127.0.0.1`,
        `cafile ${join(dir, "ca.crt")}`,
        `certfile ${join(dir, "central.crt")}`,
        `keyfile ${join(dir, "central.key")}`,
        "require_certificate true",
        "use_identity_as_username true",
        `acl_file ${join(dir, "fleet.acl")}`,
        "",
      ].join("\n"),
    );
    // The shipped file, with only the central address and the certificate paths pointed at the test's.
    const bridge = readFileSync(SHIPPED, "utf8")
      .replace("central.example.org:8883", `127.0.0.1:${centralPort}`)
      .replace("restart_timeout 2 60", "restart_timeout 1 2")
      .replaceAll("/etc/mosquitto/certs/fleet-ca.crt", join(dir, "ca.crt"))
      .replaceAll("/etc/mosquitto/certs/", `${dir}/`);
    writeFileSync(
      join(dir, "car.conf"),
      `persistence false\n${RUN_AS}\nlog_dest stderr\nlog_type all\nlistener ${carPort} 127.0.0.1\nallow_anonymous true\n\n${bridge}`,
    );
    central = startBroker(centralConf, brokers);
    await waitForPort(centralPort, central);
    await waitForPort(carPort, startBroker(join(dir, "car.conf"), brokers));
  });

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => {});
    for (const b of brokers) await stopBroker(b);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the shipped file keeps TLS with verification, a persistent session and only out topics", () => {
    const lines = readFileSync(SHIPPED, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    expect(lines).toContain("bridge_insecure false");
    expect(lines).toContain("cleansession false");
    expect(lines).toContain("notifications true");
    expect(lines.filter((l) => /^bridge_(ca|cert|key)file \//.test(l))).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith("topic "))).toEqual([
      "topic camsync/v1/unit12/status out 1",
      "topic camsync/v1/unit12/activation out 1",
      "topic camsync/v1/unit12/alert out 1",
      "topic camsync/v1/unit12/upload out 1",
    ]);
  });

  it("carries the car's activation, status, alert and upload announcement to a central subscriber, and nothing else", async () => {
    const sub = await dispatch();
    const got = collect(sub);
    await sub.subscribeAsync(["camsync/v1/#", "$SYS/broker/connection/+/state"], { qos: 1 });
    await until(
      "the bridge to connect",
      () => got.find((m) => m.topic === "$SYS/broker/connection/unit12/state" && m.payload === "1"),
      15_000,
    );

    const pub = await car();
    const activation = JSON.stringify({
      v: 1,
      eventId: "20261126T142233Z-unit12-3f9a",
      active: true,
      origin: { kind: "lightbar", id: "lightbar" },
      reason: "light bar on",
      at: "2026-11-26T14:22:33.120Z",
      seq: 7,
    });
    // Published first, so they would arrive before the activation if they crossed (one ordered QoS 1 link).
    await pub.publishAsync("camsync/v1/unit12/bodycam/bc1/status", '{"v":1,"online":true}', {
      qos: 1,
      retain: true,
    });
    await pub.publishAsync("camsync/v1/unit12/bodycam/bc1/activation", '{"v":1,"active":true}', { qos: 1 });
    await pub.publishAsync("camsync/v1/unit99/activation", '{"v":1,"spoofed":true}', { qos: 1 });
    await pub.publishAsync("camsync/v1/unit12/activation", activation, { qos: 1, retain: true });
    await pub.publishAsync("camsync/v1/unit12/status", '{"v":1,"online":true,"state":"active"}', {
      qos: 1,
      retain: true,
    });
    await pub.publishAsync("camsync/v1/unit12/alert", '{"v":1,"code":"camera-down"}', { qos: 1 });
    const upload = '{"v":1,"kind":"event","key":"unit12/20261126T142233Z-unit12-3f9a/"}';
    await pub.publishAsync("camsync/v1/unit12/upload", upload, { qos: 1 });

    const arrived = await until("the activation at the centre", () =>
      got.find((m) => m.topic === "camsync/v1/unit12/activation"),
    );
    expect(JSON.parse(arrived.payload)).toEqual(JSON.parse(activation));
    await until("status, alert and upload", () =>
      got.some((m) => m.topic === "camsync/v1/unit12/alert") &&
      got.some((m) => m.topic === "camsync/v1/unit12/status") &&
      got.some((m) => m.topic === "camsync/v1/unit12/upload" && m.payload === upload && !m.retain)
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(got.filter((m) => m.topic.startsWith("camsync/")).map((m) => m.topic)).toEqual([
      "camsync/v1/unit12/activation",
      "camsync/v1/unit12/status",
      "camsync/v1/unit12/alert",
      "camsync/v1/unit12/upload",
    ]);

    // A dashboard that starts later still sees the car's current state (retained at the centre).
    const late = await dispatch();
    const lateGot = collect(late);
    await late.subscribeAsync("camsync/v1/#", { qos: 1 });
    await until("retained state for a late subscriber", () => (lateGot.length >= 2 ? true : undefined));
    expect(lateGot.map((m) => [m.topic, m.retain]).sort()).toEqual([
      ["camsync/v1/unit12/activation", true],
      ["camsync/v1/unit12/status", true],
    ]);
  });

  it("queues an activation published while the central broker is down and delivers it when it is back", async () => {
    await stopBroker(central);
    const pub = await car();
    const ended = JSON.stringify({ v: 1, eventId: "20261126T142233Z-unit12-3f9a", active: false, seq: 8 });
    await pub.publishAsync("camsync/v1/unit12/activation", ended, { qos: 1, retain: true });

    central = startBroker(centralConf, brokers);
    await waitForPort(centralPort, central);
    const sub = await dispatch();
    const got = collect(sub);
    await sub.subscribeAsync("camsync/v1/unit12/activation", { qos: 1 });
    const m = await until(
      "the queued activation after the centre restarted",
      () => got.find((x) => x.payload === ended),
      15_000,
    );
    expect(JSON.parse(m.payload)).toMatchObject({ active: false, seq: 8 });
  });
});
