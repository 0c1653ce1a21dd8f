import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { EventBus, type HealthReport, type SignalValue } from "../core/event-bus.js";
import { silentLogger } from "../core/logger.js";
import type { Trigger } from "../core/trigger.js";
import type { CanFrame } from "./can-frame.js";
import type { CanSource } from "./can-source.js";
import { signalSectionSchema } from "./signal-config.js";
import { createVehicleBus, type VehicleBus } from "./vehicle-bus.js";

/** A CanSource driven by the test. */
class FakeSource implements CanSource {
  readonly name = "fake";
  started = false;
  stopped = false;
  private listener: (frames: CanFrame[]) => void = () => {};
  onFrames(listener: (frames: CanFrame[]) => void): void {
    this.listener = listener;
  }
  async start(): Promise<void> {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  status(): Record<string, unknown> {
    return { state: "open" };
  }
  push(frames: CanFrame[]): void {
    this.listener(frames);
  }
}

const frame = (id: number, bytes: number[], tMs: number): CanFrame => ({
  id,
  extended: false,
  remote: false,
  dlc: bytes.length,
  data: Uint8Array.from(bytes),
  timestamp: tMs / 1000,
});
/** Speed as Ford sends it in 0x415: 16-bit big-endian hundredths of km/h in bytes 0–1. */
const speedFrame = (kmh: number, tMs: number) => {
  const raw = Math.round(kmh * 100);
  return frame(0x415, [raw >> 8, raw & 0xff, 0, 0, 0, 0, 0, 0], tMs);
};

const inlineSpeed = {
  name: "Speed",
  id: "0x415",
  start: 7,
  length: 16,
  order: "motorola",
  scale: 0.01,
  unit: "km/h",
};

let vb: VehicleBus | undefined;
afterEach(async () => {
  await vb?.stop();
  vb = undefined;
});

function setup(cfg: Record<string, unknown>, withSource = true) {
  const clock = new FakeClock();
  const bus = new EventBus();
  const source = new FakeSource();
  const triggers: Trigger[] = [];
  const signals: SignalValue[] = [];
  const health: HealthReport[] = [];
  bus.on("trigger", (t) => triggers.push(t));
  bus.on("signal", (s) => signals.push(s));
  bus.on("health", (h) => health.push(h));
  vb = createVehicleBus({
    config: signalSectionSchema.parse(cfg),
    bus,
    clock,
    logger: silentLogger(),
    ...(withSource ? { source } : {}),
  });
  return { clock, bus, source, triggers, signals, health, vb };
}

describe("VehicleBus", () => {
  it("turns a speed rule's transitions into CAN triggers and puts the values in the timeline", async () => {
    const { clock, source, triggers, signals, vb } = setup({
      signals: [inlineSpeed],
      rules: [
        { name: "speeding", signal: "Speed", op: "above", threshold: 60, clearBelow: 55, holdMs: 1000 },
      ],
    });
    await vb.start();
    expect(source.started).toBe(true);
    const t0 = clock.now();
    // 50 Hz frames, host time = frame time; speed crosses 60 at +2 s, drops below 55 at +6 s.
    for (let ms = 0; ms <= 8000; ms += 20) {
      const kmh = ms < 2000 ? 50 : ms < 6000 ? 61.5 : 40;
      source.push([speedFrame(kmh, t0 + ms)]);
      clock.advance(20);
    }
    expect(triggers).toEqual([
      {
        origin: { kind: "can", id: "speeding" },
        active: true,
        at: t0 + 3000,
        reason: "Speed 61.5 km/h > 60 for 1 s",
      },
      { origin: { kind: "can", id: "speeding" }, active: false, at: t0 + 6000, reason: "Speed 40 km/h < 55" },
    ]);
    // Timeline: first value, each change (rate-limited to 1/s), and the value just before each transition.
    expect(signals.map((s) => [s.name, s.value, s.at - t0])).toEqual([
      ["Speed", 50, 0],
      ["Speed", 61.5, 2000],
      ["Speed", 40, 6000],
    ]);
    expect(vb.status()).toMatchObject({
      values: { Speed: { value: 40, unit: "km/h" } },
      rules: [{ name: "speeding", state: "clear", asserted: false, value: 40 }],
      source: { name: "fake", state: "open" },
    });
  });

  it("rate-limits signal events for a changing value but always reports the latest", async () => {
    const { clock, source, signals, vb } = setup({ signals: [inlineSpeed], signalIntervalMs: 1000 });
    await vb.start();
    const t0 = clock.now();
    for (let ms = 0; ms < 2500; ms += 100) {
      source.push([speedFrame(10 + ms / 100, t0 + ms)]);
      clock.advance(100);
    }
    clock.advance(1000);
    // At most one per second; each carries the latest value when its interval ran out (frames every 100 ms).
    expect(signals.map((s) => [s.value, s.at - t0])).toEqual([
      [10, 0],
      [19, 900],
      [28, 1800],
      [34, 2400],
    ]);
  });

  it("reports a silent signal as unknown and a health problem, and recovers", async () => {
    const { clock, source, signals, health, vb } = setup({
      signals: [inlineSpeed],
      rules: [{ name: "speeding", signal: "Speed", op: "above", threshold: 60, timeoutMs: 500 }],
    });
    await vb.start();
    const t0 = clock.now();
    source.push([speedFrame(30, t0)]);
    clock.advance(400);
    expect(health.at(-1)).toMatchObject({ component: "can:signals", state: "ok" });
    clock.advance(300); // 700 ms since the frame: lost at 500
    expect(health.at(-1)).toMatchObject({
      component: "can:signals",
      state: "degraded",
      detail: "no value for Speed",
    });
    expect(signals.at(-1)).toMatchObject({ name: "Speed", value: null, at: t0 + 500 });
    expect(vb.status()).toMatchObject({ rules: [{ state: "unknown", value: null }], lostSignals: ["Speed"] });
    clock.advance(2000);
    expect(health.at(-1)?.detail).toMatch(/^no CAN frames for 2\.\d s$/);
    source.push([speedFrame(31, clock.now())]);
    clock.advance(100);
    expect(health.at(-1)).toMatchObject({ state: "ok", detail: "decoding" });
    expect(signals.at(-1)).toMatchObject({ name: "Speed", value: 31 });
  });

  it("runs rules on gps.speedKmh from the GPS component when the bus has no speed", async () => {
    const { clock, bus, triggers, vb } = setup(
      { rules: [{ name: "gps-fast", signal: "gps.speedKmh", op: "above", threshold: 100, holdMs: 500 }] },
      false,
    );
    await vb.start();
    const t0 = clock.now();
    // As the GPS receiver publishes it: a `gps.speedKmh` signal with each fix.
    const fix = (kmh: number, at: number) =>
      bus.emit("signal", { name: "gps.speedKmh", value: kmh, unit: "km/h", at });
    fix(90, t0);
    clock.advance(200);
    fix(105, t0 + 200);
    clock.advance(400);
    expect(triggers).toEqual([]);
    clock.advance(200);
    expect(triggers).toEqual([
      {
        origin: { kind: "can", id: "gps-fast" },
        active: true,
        at: t0 + 700,
        reason: "gps.speedKmh 105 km/h > 100 for 500 ms",
      },
    ]);
  });

  it("uses value-table names from a DBC and decodes only the ids configured signals need", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "camsync-vb-"));
    try {
      const dbc = path.join(dir, "car.dbc");
      writeFileSync(
        dbc,
        `BO_ 947 BodyInfo_3_FD1: 8 GWM
 SG_ Ignition_Status : 7|4@0+ (1,0) [0|15] "SED"  PCM
BO_ 1045 BrakeSysFeatures: 8 ABS_ESC
 SG_ Veh_V_ActlBrk : 7|16@0+ (0.01,0) [0|655.35] "kph"  PCM
VAL_ 947 Ignition_Status 0 "Unknown" 1 "Off" 15 "Invalid" 8 "Start" 4 "Run" 2 "Accessory";
`,
      );
      const { clock, source, triggers, signals, vb } = setup({
        dbc,
        rules: [{ name: "ignition-run", signal: "Ignition_Status", op: "equals", value: "Run" }],
      });
      await vb.start();
      const t0 = clock.now();
      source.push([
        frame(0x415, [0x10, 0, 0, 0, 0, 0, 0, 0], t0),
        frame(0x3b3, [0x10, 0, 0, 0, 0, 0, 0, 0], t0),
      ]);
      clock.advance(100);
      source.push([frame(0x3b3, [0x80, 0, 0, 0, 0, 0, 0, 0], t0 + 100)]);
      clock.advance(1000);
      source.push([frame(0x3b3, [0x40, 0, 0, 0, 0, 0, 0, 0], t0 + 1100)]);
      expect(triggers.map((t) => [t.origin.id, t.active, t.at - t0, t.reason])).toEqual([
        ["ignition-run", true, 1100, "Ignition_Status == Run"],
      ]);
      expect(signals.map((s) => s.value)).toEqual(["Off", "Start", "Run"]);
      expect(vb.status()).toMatchObject({
        frames: 4,
        decodedFrames: 3,
        values: { Ignition_Status: { label: "Run" } },
      });
      await vb.stop();

      const missing = setup({
        dbc,
        signals: ["Veh_V_ActlBrk", "Nope"],
        rules: [{ name: "x", signal: "Gone", op: "bit", bit: 0 }],
      });
      await expect(missing.vb.start()).rejects.toThrow(
        `vehicleBus (dbc ${dbc}): signal Nope is not in the DBC file; signal Gone is not in the DBC file`,
      );
      const badLabel = setup({
        dbc,
        rules: [{ name: "ign", signal: "Ignition_Status", op: "equals", value: "Running" }],
      });
      await expect(badLabel.vb.start()).rejects.toThrow(
        "vehicleBus.rules: rule ign: Ignition_Status has no value named 'Running' (known: Unknown, Off, Invalid, Start, Run, Accessory)",
      );
      const unreadable = setup({ dbc: path.join(dir, "absent.dbc") });
      await expect(unreadable.vb.start()).rejects.toThrow(/vehicleBus.dbc: cannot read .*absent\.dbc/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops its source and releases its timer", async () => {
    const { clock, source, vb } = setup({ signals: [inlineSpeed] });
    await vb.start();
    expect(clock.timerCount).toBe(1);
    await vb.stop();
    expect(clock.timerCount).toBe(0);
    expect(source.stopped).toBe(true);
  });
});
