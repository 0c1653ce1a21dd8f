// Trigger → body cam latency on a real Mosquitto (shipped TLS + ACL config), 8 reference body cams,
// next to the broker's own publish → receive latency measured in the same run, interleaved round by
// round, with the same fan-out (one QoS 1 publisher, 8 subscribers, same payload size). Targets
// (PRODUCT.md): p50 within 2× the broker's own, p99 ≤ 10 ms.
//
// The trigger path: a Trigger emitted on the bus → the activation service (pure engine, as in the
// daemon) → body-cam sync (MQTT publish, then the outbox append) → broker → each reference body cam's
// `activation` event; the engine's state is appended to its journal after the announcement, as in the
// daemon. The part after the engine announced its decision is reported separately. All timestamps
// are performance.now() in this one process. From a CAN frame on a serial line through the real
// daemon process: bench/latency-e2e.mjs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(join(root, "dist", p));

const CAMS = ["bc1", "bc2", "bc3", "bc4", "bc5", "bc6", "bc7", "bc8"];
const VEHICLE = "bench1";
const WARMUP = 20;
/** The broker baseline runs beside the daemon and the cams, so under identities of its own. */
const BASELINE_SUBS = CAMS.map((id) => `base-${id}`);
const BASELINE_PUB = "base-pub";

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
const ms3 = (x) => Math.round(x * 1000) / 1000;

async function until(what, cond, timeoutMs = 5000) {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    // Sleep between checks, not spin: a spin holds one of the two cores (figures are timed in handlers).
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** (a) The broker alone: one QoS 1 publish of an activation-sized payload, received by 8 subscribers. */
async function brokerBaseline(url, file, payloadSize) {
  const connect = (clientId, identity) =>
    mqtt.connectAsync(url, {
      clientId,
      ca: file("ca.crt"),
      cert: file(`${identity}.crt`),
      key: file(`${identity}.key`),
      clean: true,
    });
  const subs = await Promise.all(BASELINE_SUBS.map((id) => connect(id, id)));
  const pub = await connect(BASELINE_PUB, BASELINE_PUB);
  for (const c of [...subs, pub]) c.stream.setNoDelay?.(true); // as the daemon's and the cams' links do
  const topic = `camsync/v1/${VEHICLE}-baseline/activation`;
  let sentAt = 0;
  let got = [];
  for (const s of subs) {
    s.on("message", () => got.push(performance.now() - sentAt));
    await s.subscribeAsync(topic, { qos: 1 });
  }
  const body = "x".repeat(payloadSize);
  return {
    async round() {
      got = [];
      sentAt = performance.now();
      pub.publish(topic, body, { qos: 1 });
      await until("baseline fan-out", () => got.length === subs.length);
      return got;
    },
    close: () => Promise.all([...subs, pub].map((c) => c.endAsync())),
  };
}

/** (b) Trigger → body cam through the activation service and body-cam sync. */
async function triggerPath(url, certDir, file, dataDir) {
  const [
    { BodycamSync },
    { ReferenceBodycam },
    { ActivationService },
    { EventBus },
    { systemClock },
    core,
    cfg,
    log,
  ] = await Promise.all([
    dist("bodycam/bodycam-sync.js"),
    dist("bodycam/reference-bodycam.js"),
    dist("core/activation-service.js"),
    dist("core/event-bus.js"),
    dist("core/clock.js"),
    dist("core/config.js"),
    dist("bodycam/config.js"),
    dist("core/logger.js"),
  ]);
  const bus = new EventBus();
  const sync = new BodycamSync({
    config: {
      mqtt: cfg.mqttConfigSchema.parse({
        url,
        protocolVersion: 5,
        caFile: join(certDir, "ca.crt"),
        certFile: join(certDir, "camsync.crt"),
        keyFile: join(certDir, "camsync.key"),
      }),
      bodycams: cfg.bodycamConfigSchema.parse({ paired: CAMS.map((id) => ({ id })) }),
    },
    vehicle: { id: VEHICLE },
    dataDir,
    bus,
    clock: systemClock,
    logger: log.silentLogger(),
  });
  const activation = new ActivationService({
    policy: { ...core.activationConfigSchema.parse({}), postRollSeconds: 0 },
    vehicleId: VEHICLE,
    statePath: join(dataDir, "state", "activation.jsonl"),
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

  let t0 = 0;
  let tDecision = 0;
  let eventId = null;
  let total = [];
  let fromDecision = [];
  for (const cam of cams) {
    cam.on("activation", (a, at) => {
      if (!a.active || a.eventId !== eventId) return;
      total.push(at - t0);
      fromDecision.push(at - tDecision);
    });
  }
  bus.on("decision", (d) => {
    if (d.type !== "event-start") return;
    eventId = d.eventId;
    tDecision = performance.now();
  });
  const lights = (active) =>
    bus.emit("trigger", {
      origin: { kind: "lightbar", id: "lightbar" },
      active,
      at: Date.now(),
      reason: "bench",
    });
  return {
    async round() {
      total = [];
      fromDecision = [];
      t0 = performance.now();
      lights(true);
      await until("all cams got the activation", () => total.length === cams.length);
      const out = { total, fromDecision };
      // End the event (officer stop → post-roll 0 → event-end), wait for the cams to stop.
      bus.emit("command", {
        kind: "stop",
        origin: { kind: "button", id: "dash" },
        at: Date.now(),
        reason: "bench",
      });
      lights(false);
      await until("cams stopped", () => cams.every((c) => !c.recording));
      return out;
    },
    confirmed: () => sync.status().confirmations.filter((c) => c.latencyMs !== null).length,
    async close() {
      await Promise.all(cams.map((c) => c.stop()));
      await activation.stop();
      await sync.stop();
    },
  };
}

export async function run({ rounds = 300 } = {}) {
  const { MosquittoProcess } = await dist("bodycam/mosquitto-process.js");
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-bodycam-"));
  const certDir = join(dir, "certs");
  execFileSync(
    "bash",
    [join(root, "scripts/make-certs.sh"), certDir, ...CAMS, ...BASELINE_SUBS, BASELINE_PUB],
    { stdio: "ignore" },
  );
  // The shipped ACL, plus the baseline publisher's one topic.
  const aclFile = join(dir, "acl");
  writeFileSync(
    aclFile,
    `${readFileSync(join(root, "config/mosquitto/acl"), "utf8")}\nuser ${BASELINE_PUB}\ntopic write camsync/v1/${VEHICLE}-baseline/activation\n`,
  );
  const file = (name) => readFileSync(join(certDir, name));
  const broker = await MosquittoProcess.start({
    dir,
    shippedConfigPath: join(root, "config/mosquitto/mosquitto.conf"),
    aclFile,
    certDir,
  });
  const closers = [];
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
    const baseline = await brokerBaseline(url, file, sample.length);
    closers.push(baseline.close);
    const trigger = await triggerPath(url, certDir, file, join(dir, "data"));
    closers.push(trigger.close);
    const base = [];
    const total = [];
    const fromDecision = [];
    for (let i = 0; i < rounds + WARMUP; i++) {
      const b = await baseline.round();
      await sleep(2);
      const t = await trigger.round();
      await sleep(2);
      if (i < WARMUP) continue;
      base.push(...b);
      total.push(...t.total);
      fromDecision.push(...t.fromDecision);
    }
    const b = stats(base);
    const t = stats(total);
    const d = stats(fromDecision);
    const label = `${CAMS.length} body cams, Mosquitto TLS, ${t.n} samples`;
    return {
      name: "bodycam",
      figures: [
        {
          key: "brokerP50Ms",
          label: `Broker publish → receive p50 (${CAMS.length} subscribers, QoS 1, TLS, ${b.n} samples)`,
          value: b.p50,
          unit: "ms",
          target: null,
          meets: null,
        },
        {
          key: "brokerP99Ms",
          label: `Broker publish → receive p99 (${CAMS.length} subscribers, QoS 1, TLS, ${b.n} samples)`,
          value: b.p99,
          unit: "ms",
          target: null,
          meets: null,
        },
        {
          key: "triggerToBodycamP50Ms",
          label: `Trigger → body cam p50 (${label})`,
          value: t.p50,
          unit: "ms",
          target: "≤ 2× broker p50",
          baseline: `broker p50 ${ms3(b.p50)} ms`,
          meets: t.p50 <= 2 * b.p50,
        },
        {
          key: "triggerToBodycamP99Ms",
          label: `Trigger → body cam p99 (${label})`,
          value: t.p99,
          unit: "ms",
          target: "≤ 10 ms",
          baseline: `broker p99 ${ms3(b.p99)} ms`,
          meets: t.p99 <= 10,
        },
        {
          key: "decisionToBodycamP50Ms",
          label: "… of which decision announced → body cam p50 (body-cam sync + broker)",
          value: d.p50,
          unit: "ms",
          target: null,
          baseline: `broker p50 ${ms3(b.p50)} ms`,
          meets: null,
        },
        {
          key: "decisionToBodycamP99Ms",
          label: "… of which decision announced → body cam p99 (body-cam sync + broker)",
          value: d.p99,
          unit: "ms",
          target: null,
          baseline: `broker p99 ${ms3(b.p99)} ms`,
          meets: null,
        },
      ],
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
