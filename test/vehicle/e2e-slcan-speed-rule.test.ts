import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { EventBus, type SignalValue } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import type { Trigger } from "../../src/core/trigger.js";
import type { CanFrame } from "../../src/vehicle/can-frame.js";
import type { CanSource } from "../../src/vehicle/can-source.js";
import { signalSectionSchema } from "../../src/vehicle/signal-config.js";
import { encodeSlcanFrame } from "../../src/vehicle/slcan-commands.js";
import { SlcanSource } from "../../src/vehicle/slcan-source.js";
import { slcanSourceSchema } from "../../src/vehicle/source-config.js";
import { createVehicleBus, type VehicleBus } from "../../src/vehicle/vehicle-bus.js";
import {
  canFixturesPresent,
  FORD_DBC,
  handSpeed0x415,
  readCapture,
  SPEED_CAPTURE,
  toCanFrame,
} from "./dbc-fixtures.js";

/**
 * End to end: the real Ford capture (speed 28 → 76 km/h) is turned into SLCAN lines and written, paced at
 * PACE× real time, through a socat PTY pair into the SLCAN source, through the vehicle bus and its DBC
 * decoding, until the speed rule (> 60 km/h for 1 s of capture time) fires. socat's stdio side plays the
 * adapter: it answers the open handshake and carries the frames.
 */
const PACE = 8;
const HOLD_MS = 1000 / PACE; // 1 s of the capture's time
const hasSocat = existsSync("/usr/bin/socat");
const runnable = canFixturesPresent && hasSocat;
if (!runnable)
  console.warn("skipping the SLCAN speed-rule end-to-end test: needs socat and ../shared/fixtures/can");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records when each frame reached the vehicle bus (host time), around the real SLCAN source. */
class RecordingSource implements CanSource {
  readonly name: string;
  crossing: CanFrame | undefined;
  frames = 0;
  constructor(private readonly inner: CanSource) {
    this.name = inner.name;
  }
  onFrames(listener: (frames: CanFrame[]) => void): void {
    this.inner.onFrames((frames) => {
      for (const f of frames) {
        // Independent check of which frame first carried a speed over 60 km/h.
        if (!this.crossing && f.id === 0x415 && handSpeed0x415(f.data) > 60) this.crossing = f;
      }
      this.frames += frames.length;
      listener(frames);
    });
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  status(): Record<string, unknown> {
    return this.inner.status();
  }
}

describe.skipIf(!runnable)("SLCAN over a PTY → vehicle bus → speed rule (real Ford capture)", () => {
  let dir = "";
  let socat: ChildProcessWithoutNullStreams | undefined;
  let vb: VehicleBus | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "camsync-e2e-can-"));
    const tty = path.join(dir, "ttyCAN");
    socat = spawn("socat", ["-b65536", "STDIO", `pty,raw,echo=0,link=${tty}`]);
    // The adapter: every command is acknowledged with CR; `V` answers a version.
    let pending = "";
    socat.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString("latin1");
      for (let i = pending.indexOf("\r"); i >= 0; i = pending.indexOf("\r")) {
        const cmd = pending.slice(0, i);
        pending = pending.slice(i + 1);
        socat?.stdin.write(cmd === "V" ? "V1013\r" : "\r");
      }
    });
    for (let i = 0; i < 500 && !existsSync(tty); i++) await sleep(10);
    expect(existsSync(tty)).toBe(true);
  });

  afterAll(async () => {
    await vb?.stop();
    if (socat && socat.exitCode === null) {
      const p = socat;
      await new Promise((r) => {
        p.once("exit", r);
        p.kill("SIGTERM");
      });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("fires the rule once, HOLD after the first frame whose hand-decoded speed is over 60 km/h", async () => {
    const capture = readCapture(SPEED_CAPTURE);
    // From the file alone: the first 0x415 frame over 60 km/h (60.03 at 1487342035.700884), never below after.
    const speeds = capture
      .filter((r) => r.id === 0x415)
      .map((r) => ({ t: r.t, kmh: handSpeed0x415(r.bytes) }));
    const crossingIndex = speeds.findIndex((s) => s.kmh > 60);
    expect(speeds[crossingIndex]).toEqual({ t: 1487342035.700884, kmh: 60.03 });
    expect(Math.min(...speeds.slice(crossingIndex).map((s) => s.kmh))).toBeGreaterThan(55);

    const bus = new EventBus();
    const triggers: Trigger[] = [];
    const timeline: SignalValue[] = [];
    bus.on("trigger", (t) => triggers.push(t));
    bus.on("signal", (s) => timeline.push(s));
    const slcan = new SlcanSource(slcanSourceSchema.parse({ path: path.join(dir, "ttyCAN") }), {
      clock: systemClock,
      bus,
    });
    const source = new RecordingSource(slcan);
    vb = createVehicleBus({
      config: signalSectionSchema.parse({
        dbc: FORD_DBC,
        rules: [
          {
            name: "speed-over-60",
            signal: "Veh_V_ActlBrk",
            op: "above",
            threshold: 60,
            clearBelow: 55,
            holdMs: HOLD_MS,
          },
        ],
      }),
      bus,
      clock: systemClock,
      logger: silentLogger(),
      source,
      tickMs: 20,
    });
    await vb.start();
    for (let i = 0; i < 300 && slcan.status().streaming !== true; i++) await sleep(10);
    expect(slcan.status().streaming).toBe(true);

    // Write the capture at PACE× real time, in small bursts.
    const lines = capture.map((r) => encodeSlcanFrame(toCanFrame(r)));
    const t0 = capture[0]?.t ?? 0;
    const started = performance.now();
    let next = 0;
    while (next < lines.length) {
      const due = (performance.now() - started) / 1000;
      let end = next;
      while (end < lines.length && ((capture[end]?.t ?? 0) - t0) / PACE <= due) end++;
      if (end > next) socat?.stdin.write(lines.slice(next, end).join(""));
      next = end;
      await sleep(5);
    }
    for (let i = 0; i < 1000 && source.frames < capture.length; i++) await sleep(10);
    await sleep(HOLD_MS + 100);

    expect(source.frames).toBe(capture.length);
    expect(triggers).toHaveLength(1);
    const [fired] = triggers;
    const crossing = source.crossing;
    if (!fired || !crossing) throw new Error("no trigger or no crossing frame");
    expect(handSpeed0x415(crossing.data)).toBe(60.03);
    expect(fired.origin).toEqual({ kind: "can", id: "speed-over-60" });
    expect(fired.active).toBe(true);
    // Frames are stamped on arrival (host time); the rule fires HOLD after the crossing frame arrived.
    expect(Math.abs(fired.at - (crossing.timestamp * 1000 + HOLD_MS))).toBeLessThanOrEqual(1);
    const reason = /^Veh_V_ActlBrk (\d+\.?\d*) kph > 60 for 125 ms$/.exec(fired.reason);
    expect(reason, fired.reason).not.toBeNull();
    // The value the rule fired on is one the capture carries within a second after the crossing.
    const window = speeds.slice(crossingIndex).filter((s) => s.t <= 1487342035.700884 + 1.2);
    expect(window.map((s) => s.kmh)).toContain(Number(reason?.[1]));
    // The timeline has the speed just before the trigger.
    const before = timeline.filter((s) => s.name === "Veh_V_ActlBrk" && s.at <= fired.at).at(-1);
    expect(typeof before?.value === "number" && before.value > 60).toBe(true);
  });
});
