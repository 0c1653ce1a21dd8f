#!/usr/bin/env node
// CAN ingest (PRODUCT.md targets): SLCAN parse + DBC decode + trigger rules ≥ 200,000 frames/s on one core,
// and ≤ 3 % of a core for a live 4,000 frames/s SLCAN feed through a PTY.
//
// 1. Throughput: the two real Ford captures as SLCAN bytes, pushed in 512-byte reads through the SLCAN
//    parser into the vehicle-bus component (Ford DBC, 9 signals, 4 rules, bus listeners), repeated ≥ 2 s.
// 2. Live CPU: a child process runs the real SLCAN source (serialport on a socat PTY) + vehicle bus and
//    measures its own process.cpuUsage() over 10 s while this process writes 4,000 frames/s into the PTY.
//    Baseline: the same feed read by a stock node-serialport stream (no parsing), for comparison.
// Needs `npm run build` (imports dist/) and the fixtures in ../shared/fixtures/can. `node bench/can.mjs`.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { unitNodeFlags } from "./_unit-node-flags.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const fixtures = resolve(root, "../shared/fixtures/can");
const DBC = join(fixtures, "dbc/ford_lincoln_base_pt.dbc");
const CAPTURES = ["ford_fusion_2017_speed_30_to_80kmh.candump", "ford_fusion_2017_turning_on.candump"];
const LIVE_RATE = 4000;
const LIVE_SECONDS = 10;

const vehicleConfig = {
  dbc: DBC,
  signals: [
    "Veh_V_ActlBrk",
    "Veh_V_ActlEng",
    "Ignition_Status",
    "DrStatDrv_B_Actl",
    "DrStatPsngr_B_Actl",
    "BpedDrvAppl_D_Actl",
    "GearLvrPos_D_Actl",
    "StopLghtOn_B_Stat",
    "HeadLghtSwtch_D_Stat",
  ],
  rules: [
    {
      name: "speed-over-60",
      signal: "Veh_V_ActlBrk",
      op: "above",
      threshold: 60,
      clearBelow: 55,
      holdMs: 1000,
    },
    { name: "ignition-run", signal: "Ignition_Status", op: "equals", value: "Run" },
    { name: "driver-door", signal: "DrStatDrv_B_Actl", op: "bit", bit: 0 },
    { name: "braking", signal: "BpedDrvAppl_D_Actl", op: "equals", value: "Driver_Braking" },
  ],
};

/** The captures' frames as SLCAN lines (`t4158…\r`), in file order. */
async function slcanLines() {
  const { parseCandumpLine } = await dist("vehicle/candump-line.js");
  const { encodeSlcanFrame } = await dist("vehicle/slcan-commands.js");
  const lines = [];
  for (const f of CAPTURES) {
    for (const text of readFileSync(join(fixtures, "logs", f), "utf8").split("\n")) {
      const r = parseCandumpLine(text);
      if (r.kind === "frame") lines.push(encodeSlcanFrame(r.frame));
    }
  }
  return lines;
}

async function vehicleBus(clock, source) {
  const { EventBus } = await dist("core/event-bus.js");
  const { silentLogger } = await dist("core/logger.js");
  const { signalSectionSchema } = await dist("vehicle/signal-config.js");
  const { createVehicleBus } = await dist("vehicle/vehicle-bus.js");
  const bus = new EventBus();
  const seen = { triggers: 0, signals: 0 };
  bus.on("trigger", () => seen.triggers++);
  bus.on("signal", () => seen.signals++);
  const vb = createVehicleBus({
    config: signalSectionSchema.parse(vehicleConfig),
    bus,
    clock,
    logger: silentLogger(),
    ...(source ? { source } : {}),
  });
  await vb.start();
  return { vb, seen };
}

/** The components' clock stands still (time is carried by the frames' timestamps); its timers never fire. */
function stillClock() {
  const at = Date.UTC(2026, 10, 26, 14, 22, 33);
  let next = 1;
  return {
    now: () => at,
    monotonic: () => 0,
    setTimeout: () => ({ id: next++ }),
    clearTimeout: () => {},
    setInterval: () => ({ id: next++ }),
    clearInterval: () => {},
  };
}

async function throughput() {
  const { SlcanParser } = await dist("vehicle/slcan-parser.js");
  const lines = await slcanLines();
  const bytes = Buffer.from(lines.join(""), "latin1");
  const clock = stillClock();
  const { vb, seen } = await vehicleBus(clock);
  const parser = new SlcanParser({ channel: "slcan0" });
  const CHUNK = 512;
  // Host time advances with the data: the captures' ~2,000 frames/s, so hold times and timeouts behave.
  const msPerChunk = (CHUNK / bytes.length) * 42_000;
  let t = clock.now();
  let frames = 0;
  let passes = 0;
  const started = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 2 || passes < 3) {
    for (let off = 0; off < bytes.length; off += CHUNK) {
      t += msPerChunk;
      const out = parser.push(bytes.subarray(off, off + CHUNK), t / 1000);
      frames += out.frames.length;
      vb.onFrames(out.frames);
    }
    passes++;
    elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  }
  await vb.stop();
  return { fps: frames / elapsed, frames, passes, elapsed, triggers: seen.triggers, signals: seen.signals };
}

/** Child mode: the receiving side of the live feed; prints its CPU use as JSON. */
async function receiver(tty, seconds) {
  const { EventBus } = await dist("core/event-bus.js");
  const { systemClock } = await dist("core/clock.js");
  const { SlcanSource } = await dist("vehicle/slcan-source.js");
  const { slcanSourceSchema } = await dist("vehicle/source-config.js");
  const source = new SlcanSource(slcanSourceSchema.parse({ path: tty }), {
    clock: systemClock,
    bus: new EventBus(),
  });
  let frames = 0;
  const counting = {
    name: source.name,
    onFrames: (listener) =>
      source.onFrames((batch) => {
        frames += batch.length;
        listener(batch);
      }),
    start: () => source.start(),
    stop: () => source.stop(),
    status: () => source.status(),
  };
  const { vb } = await vehicleBus(systemClock, counting);
  while (source.status().streaming !== true) await new Promise((r) => setTimeout(r, 10));
  await measureSelf(seconds, () => frames);
  await vb.stop();
  process.exit(0);
}

/** Child mode, the baseline: a stock node-serialport stream reading the same feed (no SLCAN parsing, no decoding). */
async function reader(tty, seconds) {
  const { SerialPort } = await import("serialport");
  const port = new SerialPort({ path: tty, baudRate: 115_200, autoOpen: false });
  await new Promise((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  let frames = 0;
  port.on("data", (chunk) => {
    for (const b of chunk) if (b === 0x0d) frames++;
  });
  await measureSelf(seconds, () => frames);
  port.close();
  process.exit(0);
}

/** Tell the parent the feed can start, settle 1 s, then print this process's CPU use over `seconds`. */
async function measureSelf(seconds, frames) {
  process.stdout.write("streaming\n");
  await new Promise((r) => setTimeout(r, 1000));
  const f0 = frames();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c = process.cpuUsage(c0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const result = {
    cpuPercent: ((c.user + c.system) / 1e6 / wall) * 100,
    frames: frames() - f0,
    seconds: wall,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Feed 4,000 frames/s into a PTY and let a child (`mode`: --receiver or --reader) measure its CPU. */
async function liveCpu(mode) {
  const lines = await slcanLines();
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-can-"));
  const tty = join(dir, "ttyCAN");
  const socat = spawn("socat", ["-b65536", "STDIO", `pty,raw,echo=0,link=${tty}`]);
  let pending = "";
  socat.stdout.on("data", (chunk) => {
    pending += chunk.toString("latin1");
    for (let i = pending.indexOf("\r"); i >= 0; i = pending.indexOf("\r")) {
      const cmd = pending.slice(0, i);
      pending = pending.slice(i + 1);
      socat.stdin.write(cmd === "V" ? "V1013\r" : "\r");
    }
  });
  try {
    for (let i = 0; i < 500 && !existsSync(tty); i++) await new Promise((r) => setTimeout(r, 10));
    // The daemon's own Node flags (systemd unit): the young-generation cap trades GC work for memory.
    const flags = mode === "--receiver" ? unitNodeFlags() : [];
    const child = spawn(
      process.execPath,
      [...flags, fileURLToPath(import.meta.url), mode, tty, String(LIVE_SECONDS)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const exited = new Promise((r) => child.once("exit", r));
    const deadline = Date.now() + 20_000;
    while (!out.includes("streaming")) {
      if (child.exitCode !== null) throw new Error(`${mode} child exited early`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`${mode} child never started streaming (SLCAN handshake over the PTY failed?)`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    // 4,000 frames/s in 10 ms bursts (40 frames), paced against the clock, cycling the captures.
    let next = 0;
    let sent = 0;
    const t0 = performance.now();
    while (child.exitCode === null) {
      const due = Math.floor(((performance.now() - t0) / 1000) * LIVE_RATE);
      let burst = "";
      for (; sent < due; sent++) {
        burst += lines[next];
        next = (next + 1) % lines.length;
      }
      if (burst) socat.stdin.write(burst);
      await new Promise((r) => setTimeout(r, 10));
    }
    await exited;
    const result = JSON.parse(out.trim().split("\n").at(-1));
    return { ...result, rate: result.frames / result.seconds };
  } finally {
    socat.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  if (!existsSync(DBC)) throw new Error(`fixtures missing: ${fixtures}`);
  const tp = await throughput();
  const live = await liveCpu("--receiver");
  const baseline = await liveCpu("--reader");
  return {
    name: "CAN ingest",
    figures: [
      {
        key: "can_ingest_fps",
        label: `SLCAN parse + DBC decode + rules, one core (real Ford captures, ${tp.passes} passes)`,
        value: Math.round(tp.fps),
        unit: "frames/s",
        target: "≥ 200,000 frames/s",
        meets: tp.fps >= 200_000,
      },
      {
        key: "can_live_cpu",
        label: `CPU of SLCAN source + vehicle bus for a live ${LIVE_RATE} frames/s feed through a PTY (${Math.round(live.rate)} frames/s received)`,
        value: Math.round(live.cpuPercent * 100) / 100,
        unit: "% of a core",
        target: "≤ 3 %",
        meets: live.cpuPercent <= 3 && live.rate >= LIVE_RATE * 0.95,
      },
      {
        key: "can_live_cpu_serialport_baseline",
        label: `Baseline: a stock node-serialport stream (threadpool reads) on the same ${LIVE_RATE} frames/s feed, no parsing`,
        value: Math.round(baseline.cpuPercent * 100) / 100,
        unit: "% of a core",
        target: null,
        meets: null,
      },
    ],
  };
}

if (process.argv[2] === "--receiver") {
  await receiver(process.argv[3], Number(process.argv[4]));
} else if (process.argv[2] === "--reader") {
  await reader(process.argv[3], Number(process.argv[4]));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
