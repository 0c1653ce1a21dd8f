// Trigger → body cam latency on a real Mosquitto (shipped TLS + ACL config), 8 reference body cams,
// next to the broker's own publish → receive latency measured in the same run with the same fan-out
// (one QoS 1 publisher, 8 subscribers, same payload size). Targets (PRODUCT.md): p50 within 2× the
// broker's own, p99 ≤ 10 ms.
//
// The trigger path: a Trigger emitted on the bus → the activation service (pure engine + its state
// persisted atomically, as in the daemon) → body-cam sync (outbox append, MQTT publish) → broker →
// each reference body cam's `activation` event. The part after the engine announced its decision is
// reported separately (the engine persists its state with fsync before announcing). All timestamps are performance.now() in this one
// process. (Starting from a CAN frame written to a serial line is left to the vehicle bench.)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(join(root, "dist", p));

const CAMS = ["bc1", "bc2", "bc3", "bc4", "bc5", "bc6", "bc7", "bc8"];
const VEHICLE = "bench1";

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), n: s.length };
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, cond, timeoutMs = 5000) {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** (a) The broker alone: one QoS 1 publish of an activation-sized payload, received by 8 subscribers. */
async function brokerBaseline(url, file, payloadSize, rounds) {
  const subs = await Promise.all(
    CAMS.map((id) =>
      mqtt.connectAsync(url, {
        clientId: `bench-sub-${id}`,
        ca: file("ca.crt"),
        cert: file(`${id}.crt`),
        key: file(`${id}.key`),
        clean: true,
      }),
    ),
  );
  const pub = await mqtt.connectAsync(url, {
    clientId: "bench-pub",
    ca: file("ca.crt"),
    cert: file("camsync.crt"),
    key: file("camsync.key"),
    clean: true,
  });
  for (const c of [...subs, pub]) c.stream.setNoDelay?.(true); // as the daemon's and the cams' links do
  const topic = `camsync/v1/${VEHICLE}-baseline/activation`;
  const samples = [];
  let sentAt = 0;
  let got = 0;
  for (const s of subs) {
    s.on("message", () => {
      samples.push(performance.now() - sentAt);
      got++;
    });
    await s.subscribeAsync(topic, { qos: 1 });
  }
  const body = "x".repeat(payloadSize);
  for (let i = 0; i < rounds; i++) {
    got = 0;
    const mark = samples.length;
    sentAt = performance.now();
    pub.publish(topic, body, { qos: 1 });
    await until("baseline fan-out", () => got === subs.length);
    if (i < 20) samples.length = mark; // warm-up
    await sleep(2);
  }
  await Promise.all([...subs, pub].map((c) => c.endAsync()));
  return stats(samples);
}

/** (b) Trigger → body cam through the activation service and body-cam sync. */
async function triggerToBodycam(url, certDir, file, dataDir, rounds) {
  const [
    { BodycamSync },
    { ReferenceBodycam },
    { ActivationService },
    { Bus },
    { systemClock },
    { DEFAULT_POLICY },
    { mqttConfigSchema, bodycamConfigSchema },
    { silentLogger },
  ] = await Promise.all([
    dist("bodycam/sync.js"),
    dist("bodycam/reference-bodycam.js"),
    dist("core/activation-service.js"),
    dist("core/bus.js"),
    dist("core/clock.js"),
    dist("core/activation.js"),
    dist("bodycam/config.js"),
    dist("daemon/logger.js"),
  ]);
  const bus = new Bus();
  const sync = new BodycamSync({
    config: {
      mqtt: mqttConfigSchema.parse({
        url,
        protocolVersion: 5,
        caFile: join(certDir, "ca.crt"),
        certFile: join(certDir, "camsync.crt"),
        keyFile: join(certDir, "camsync.key"),
      }),
      bodycams: bodycamConfigSchema.parse({ paired: CAMS.map((id) => ({ id })) }),
    },
    vehicle: { id: VEHICLE },
    dataDir,
    bus,
    clock: systemClock,
    logger: silentLogger(),
  });
  const activation = new ActivationService({
    policy: { ...DEFAULT_POLICY, postRollSeconds: 0 },
    vehicleId: VEHICLE,
    statePath: join(dataDir, "state", "activation.json"),
    bus,
    clock: systemClock,
    log: { info() {}, warn() {}, error() {} },
  });
  await sync.start();
  await activation.start();
  const cams = CAMS.map(
    (id) =>
      new ReferenceBodycam({
        id,
        vehicleId: VEHICLE,
        url,
        ca: file("ca.crt"),
        cert: file(`${id}.crt`),
        key: file(`${id}.key`),
        protocolVersion: 5,
      }),
  );
  await Promise.all(cams.map((c) => c.start()));
  await until("daemon connected", () => sync.status().connected);
  await until("cams online", () => sync.status().bodycams.every((c) => c.online));

  const samples = [];
  const fromDecision = [];
  let t0 = 0;
  let tDecision = 0;
  let eventId = null;
  const received = new Set();
  for (const cam of cams) {
    cam.on("activation", (a, at) => {
      if (!a.active || a.eventId !== eventId || received.has(cam.id)) return;
      received.add(cam.id);
      samples.push(at - t0);
      fromDecision.push(at - tDecision);
    });
  }
  const lights = (active) =>
    bus.emit("trigger", {
      origin: { kind: "lightbar", id: "lightbar" },
      active,
      at: Date.now(),
      reason: "bench",
    });
  for (let i = 0; i < rounds; i++) {
    received.clear();
    const mark = samples.length;
    let started = null;
    const off = bus.on("decision", (d) => {
      if (d.type !== "event-start") return;
      started = d.eventId;
      tDecision = performance.now();
    });
    eventId = null;
    t0 = performance.now();
    lights(true);
    off();
    eventId = started;
    await until("all cams got the activation", () => received.size === cams.length);
    if (i < 20) samples.length = fromDecision.length = mark; // warm-up
    // End the event (officer stop → post-roll 0 → event-end) and wait for the cams to stop.
    bus.emit("command", {
      kind: "stop",
      origin: { kind: "button", id: "dash" },
      at: Date.now(),
      reason: "bench",
    });
    lights(false);
    await until("cams stopped", () => cams.every((c) => !c.recording));
    await sleep(2);
  }
  const confirmations = sync.status().confirmations;
  await Promise.all(cams.map((c) => c.stop()));
  await activation.stop();
  await sync.stop();
  return {
    ...stats(samples),
    fromDecision: stats(fromDecision),
    confirmed: confirmations.filter((c) => c.latencyMs !== null).length,
  };
}

export async function run({ rounds = 300 } = {}) {
  const { MosquittoProcess } = await dist("bodycam/mosquitto-process.js");
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-bodycam-"));
  const certDir = join(dir, "certs");
  execFileSync("bash", [join(root, "scripts/make-certs.sh"), certDir, ...CAMS], { stdio: "ignore" });
  const file = (name) => readFileSync(join(certDir, name));
  const broker = await MosquittoProcess.start({
    dir,
    shippedConfigPath: join(root, "config/mosquitto/mosquitto.conf"),
    aclFile: join(root, "config/mosquitto/acl"),
    certDir,
  });
  try {
    const url = `mqtts://127.0.0.1:${broker.port}`;
    // Same payload size as a real activation.
    const sample = JSON.stringify({
      v: 1,
      eventId: "20261126T142233Z-bench1-3f9a",
      active: true,
      origin: { kind: "lightbar", id: "lightbar" },
      reason: "light bar on",
      at: new Date().toISOString(),
      seq: 123,
    });
    const base = await brokerBaseline(url, file, sample.length, rounds);
    const trig = await triggerToBodycam(url, certDir, file, join(dir, "data"), rounds);
    const label = `${CAMS.length} body cams, Mosquitto TLS, ${trig.n} samples`;
    return {
      name: "bodycam",
      figures: [
        {
          key: "brokerP50Ms",
          label: `Broker publish → receive p50 (${CAMS.length} subscribers, QoS 1, TLS)`,
          value: base.p50,
          unit: "ms",
          target: null,
          meets: null,
        },
        {
          key: "brokerP99Ms",
          label: `Broker publish → receive p99 (${CAMS.length} subscribers, QoS 1, TLS)`,
          value: base.p99,
          unit: "ms",
          target: null,
          meets: null,
        },
        {
          key: "triggerToBodycamP50Ms",
          label: `Trigger → body cam p50 (${label})`,
          value: trig.p50,
          unit: "ms",
          target: "≤ 2× broker p50",
          baseline: `broker p50 ${Math.round(base.p50 * 1000) / 1000} ms`,
          meets: trig.p50 <= 2 * base.p50,
        },
        {
          key: "triggerToBodycamP99Ms",
          label: `Trigger → body cam p99 (${label})`,
          value: trig.p99,
          unit: "ms",
          target: "≤ 10 ms",
          baseline: `broker p99 ${Math.round(base.p99 * 1000) / 1000} ms`,
          meets: trig.p99 <= 10,
        },
        {
          key: "decisionToBodycamP50Ms",
          label: "… of which decision announced → body cam p50 (body-cam sync + broker)",
          value: trig.fromDecision.p50,
          unit: "ms",
          target: null,
          baseline: `broker p50 ${Math.round(base.p50 * 1000) / 1000} ms`,
          meets: null,
        },
        {
          key: "decisionToBodycamP99Ms",
          label: "… of which decision announced → body cam p99 (body-cam sync + broker)",
          value: trig.fromDecision.p99,
          unit: "ms",
          target: null,
          baseline: `broker p99 ${Math.round(base.p99 * 1000) / 1000} ms`,
          meets: null,
        },
      ],
    };
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
