// Trigger → body cam, end to end through the real daemon process (PRODUCT.md target: p50 within 2× the
// broker's own publish → receive latency measured in the same run, p99 ≤ 10 ms, with 8 body cams on a real
// broker). The path: an SLCAN frame written to the master of a pseudo-terminal this process holds (the
// adapter's end, as a USB adapter's driver pushes its bytes; bench/_pty.mjs: no relay process between), with
// the speed crossing the rule's threshold → `camsync run` (serial read, SLCAN parse, signal decode, rule,
// activation engine with its state persisted, body-cam sync) → Mosquitto (shipped TLS config and ACL) → 8
// reference body cams, each timing the arrival of the activation. In the same run, interleaved round by
// round, the broker's own latency: one QoS 1 publish of an activation-sized payload from the daemon's
// identity to 8 subscribers. The engine-level figure (trigger on the bus → body cam, no serial line) is
// bench/bodycam.mjs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { controlRequest } from "../dist/control/control-client.js";
import { encodeSlcanFrame } from "../dist/vehicle/slcan-commands.js";
import { BodycamFleet } from "../soak/bodycam-fleet.mjs";
import { Broker } from "../soak/broker.mjs";
import { SPEED_FRAME_ID } from "../soak/can-feed.mjs";
import { daemonConfig, SPEED_RULE } from "../soak/daemon-config.mjs";
import { DaemonProcess } from "../soak/daemon-process.mjs";
import { DirectPtyAdapter } from "../soak/slcan-adapter.mjs";
import { inheritedPty, runWithPty } from "./_pty.mjs";
import { unitNodeFlags } from "./_unit-node-flags.mjs";

const VEHICLE = "bench2";
const CAMS = ["bc1", "bc2", "bc3", "bc4", "bc5", "bc6", "bc7", "bc8"];
const WARMUP = 20;
/** The broker baseline runs beside the daemon and the cams, so under identities of its own. */
const BASELINE_SUBS = CAMS.map((id) => `base-${id}`);
const BASELINE_PUB = "base-pub";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

async function until(what, cond, timeoutMs = 10_000) {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`latency-e2e: timed out waiting for ${what}`);
    // Sleep between checks: a setImmediate spin would hold one of the machine's two cores and slow the
    // daemon under test (every figure is timed in the message handlers, not here).
    await sleep(1);
  }
}

const speedLine = (kmh) => {
  const raw = Math.round(kmh * 100);
  const data = Buffer.from([raw >> 8, raw & 0xff, 0, 0, 0, 0, 0, 0]);
  return encodeSlcanFrame({ id: SPEED_FRAME_ID, extended: false, remote: false, dlc: 8, data });
};

/** The broker's own fan-out: daemon identity → 8 body-cam identities, QoS 1, activation-sized payload. */
async function baselineClients(broker, payloadSize) {
  const topic = `camsync/v1/${VEHICLE}-baseline/activation`;
  const subs = await Promise.all(
    BASELINE_SUBS.map((id) =>
      mqtt.connectAsync(broker.url, { ...broker.tls(id), clientId: id, clean: true }),
    ),
  );
  const pub = await mqtt.connectAsync(broker.url, {
    ...broker.tls(BASELINE_PUB),
    clientId: BASELINE_PUB,
    clean: true,
  });
  const state = { sentAt: 0, got: 0, samples: [] };
  for (const s of subs) {
    s.on("message", () => {
      state.samples.push(performance.now() - state.sentAt);
      state.got++;
    });
    await s.subscribeAsync(topic, { qos: 1 });
  }
  const body = "x".repeat(payloadSize);
  return {
    samples: state.samples,
    async round() {
      state.got = 0;
      state.sentAt = performance.now();
      pub.publish(topic, body, { qos: 1 });
      await until("baseline fan-out", () => state.got === subs.length);
    },
    close: () => Promise.all([...subs, pub].map((c) => c.endAsync())),
  };
}

/** The benchmark, run in a child process that holds the serial line's pseudo-terminal. */
export function run() {
  return runWithPty(new URL(import.meta.url).pathname);
}

async function runOnPty(pty, { rounds = 200 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-e2e-"));
  const broker = new Broker({
    dir: join(dir, "mosquitto"),
    vehicleId: VEHICLE,
    identities: [...CAMS, ...BASELINE_SUBS, BASELINE_PUB],
    // The baseline's own identities (one identity, one connection): its publisher writes only its topic.
    extraAcl: [`user ${BASELINE_PUB}`, `topic write camsync/v1/${VEHICLE}-baseline/activation`],
  });
  const adapter = new DirectPtyAdapter(pty);
  let daemon;
  let fleet;
  let base;
  let ticker;
  try {
    await broker.start();
    const dataDir = join(dir, "data");
    const config = join(dir, "camsync.yaml");
    writeFileSync(
      config,
      daemonConfig({
        vehicleId: VEHICLE,
        dataDir,
        mqttUrl: broker.url,
        mqttTls: broker.tlsFiles("camsync"),
        canDevice: adapter.devicePath,
        bodycams: CAMS,
        cameras: 0,
        preEventSeconds: 0,
        postRollSeconds: 0,
      }),
    );
    // The daemon times each stage of the path (src/core/stage-trace.ts) and logs it after the publish.
    daemon = new DaemonProcess({
      config,
      logFile: join(dir, "daemon.log"),
      env: { CAMSYNC_TRACE_STAGES: "1" },
      nodeArgs: unitNodeFlags(),
    });
    await daemon.start();
    await adapter.waitOpen();
    fleet = new BodycamFleet({
      url: broker.url,
      vehicleId: VEHICLE,
      cams: CAMS.map((id) => ({ id, tls: broker.tls(id) })),
    });
    await fleet.start();
    // The car idles at 30 km/h: the speed frame keeps coming at 10 Hz (the rule's signal never times out).
    let kmh = 30;
    ticker = setInterval(() => adapter.writeFrames(speedLine(kmh)), 100);
    const socket = join(dataDir, "control.sock");
    const sample = JSON.stringify({
      v: 1,
      eventId: "20261126T142233Z-bench2-3f9a",
      active: true,
      origin: { kind: "can", id: SPEED_RULE.name },
      reason: "speed 60.03 km/h > 60",
      at: new Date().toISOString(),
      seq: 123,
    });
    base = await baselineClients(broker, sample.length);

    const samples = [];
    const stageRows = [];
    let t0 = 0;
    let previous = new Set();
    const received = new Map();
    for (const cam of fleet.cams) {
      cam.on("activation", (a, at) => {
        if (a.active && !previous.has(a.eventId) && !received.has(cam.id))
          received.set(cam.id, { at, eventId: a.eventId });
      });
    }
    await sleep(1000);
    for (let i = 0; i < rounds + WARMUP; i++) {
      received.clear();
      kmh = SPEED_RULE.threshold + 10;
      t0 = performance.now();
      adapter.writeFramesNow(speedLine(kmh));
      await until("all body cams got the activation", () => received.size === CAMS.length);
      if (i >= WARMUP) for (const r of received.values()) samples.push(r.at - t0);
      const eventId = [...received.values()][0].eventId;
      // Where the time goes inside the daemon: its own stage marks for this activation.
      await until("the daemon's stage line", () =>
        daemon.lines.some((e) => e.line.stages && e.line.eventId === eventId && e.line.active),
      );
      const traced = daemon.lines.find((e) => e.line.stages && e.line.eventId === eventId && e.line.active);
      if (i >= WARMUP) stageRows.push(traced.line.stages);
      previous = new Set([...previous, eventId]);
      kmh = 30; // the rule clears below 50 km/h
      await sleep(150);
      const stop = await controlRequest(socket, { op: "trigger", kind: "stop", via: "bench" });
      if (!stop.ok) throw new Error(`stop refused: ${stop.error}`);
      await until("body cams stopped", () => fleet.cams.every((c) => !c.recording));
      await base.round();
      if (i < WARMUP) base.samples.length = 0;
      await sleep(20 + Math.random() * 30);
    }
    const b50 = percentile(base.samples, 50);
    const b99 = percentile(base.samples, 99);
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    const r3 = (x) => Math.round(x * 1000) / 1000;
    const label = `${CAMS.length} body cams, Mosquitto TLS, ${rounds} frames`;
    // Per stage: the time from the previous mark (read → parsed → ruled → engine → persisted → published).
    const STAGES = ["read", "parsed", "ruled", "engine", "persisted", "published"];
    const stageFigures = [];
    for (let s = 1; s < STAGES.length; s++) {
      const from = STAGES[s - 1];
      const to = STAGES[s];
      const d = stageRows.map((r) => r[to] - r[from]).filter(Number.isFinite);
      for (const p of [50, 99])
        stageFigures.push({
          key: `e2eStage_${from}_${to}_p${p}`,
          label: `… of which ${from} → ${to} inside the daemon, p${p}`,
          value: Math.round(percentile(d, p) * 1000) / 1000,
          unit: "ms",
          target: null,
          meets: null,
        });
    }
    const inside = stageRows.map((r) => r.published - r.read).filter(Number.isFinite);
    // What would fix a miss, from this path's own breakdown (see docs/performance.md).
    const fix50 =
      "the daemon's share is in the stage rows above; what remains is the broker hop and scheduling on a loaded 2-core machine";
    const fix99 = `as for p50; the rest is scheduling on a loaded machine (the broker's own p99 here: ${r3(b99)} ms)`;
    return {
      name: "latency-e2e",
      figures: [
        {
          key: "e2eBrokerP50Ms",
          label: `Broker publish → receive p50, same run (${CAMS.length} subscribers, QoS 1, TLS)`,
          value: b50,
          unit: "ms",
          target: null,
          meets: null,
        },
        {
          key: "e2eReadToPublishP50Ms",
          label:
            "… of which serial read → activation on the MQTT socket, inside the daemon (stage marks), p50",
          value: Math.round(percentile(inside, 50) * 1000) / 1000,
          unit: "ms",
          target: null,
          meets: null,
        },
        {
          key: "e2eReadToPublishP99Ms",
          label: "… of which serial read → activation on the MQTT socket, inside the daemon, p99",
          value: Math.round(percentile(inside, 99) * 1000) / 1000,
          unit: "ms",
          target: null,
          meets: null,
        },
        ...stageFigures,
        {
          key: "e2eCanToBodycamP50Ms",
          label: `CAN frame on the serial line → body cam p50 (daemon process, ${label})`,
          value: p50,
          unit: "ms",
          target: "≤ 2× broker p50",
          baseline: `broker p50 ${r3(b50)} ms`,
          meets: p50 <= 2 * b50,
          ...(p50 <= 2 * b50 ? {} : { fix: fix50 }),
        },
        {
          key: "e2eCanToBodycamP99Ms",
          label: `CAN frame on the serial line → body cam p99 (daemon process, ${label})`,
          value: p99,
          unit: "ms",
          target: "≤ 10 ms",
          baseline: `broker p99 ${r3(b99)} ms`,
          meets: p99 <= 10,
          ...(p99 <= 10 ? {} : { fix: fix99 }),
        },
      ],
      samples: { e2e: samples.length, broker: base.samples.length },
    };
  } finally {
    clearInterval(ticker);
    await base?.close().catch(() => {});
    await fleet?.stop().catch(() => {});
    await daemon?.stop().catch(() => {});
    adapter.close();
    await broker.stop().catch(() => {});
    if (process.env.BENCH_KEEP) process.stderr.write(`latency-e2e: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pty = inheritedPty();
  console.log(JSON.stringify(pty ? await runOnPty(pty) : await run(), null, 2));
}
