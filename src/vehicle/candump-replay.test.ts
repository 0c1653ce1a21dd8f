import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { fixturePresent } from "../../test/support/fixtures.js";
import { until } from "../../test/support/recording-bus.js";
import { EventBus, type HealthReport } from "../core/event-bus.js";
import type { CanFrame } from "./can-frame.js";
import { CandumpReplay } from "./candump-replay.js";

const dir = mkdtempSync(path.join(tmpdir(), "camsync-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const speedLog = path.resolve(
  repoRoot,
  "../shared/fixtures/can/logs/ford_fusion_2017_speed_30_to_80kmh.candump",
);

const LOG = [
  "(1000.000000) can0 100#01",
  "(1000.010000) can0 200#02",
  "(1000.010500) can0 300##0AA", // CAN FD: skipped
  "(1000.010600) can0 301#03",
  "(1000.100000) can0 400#04",
  "",
].join("\n");

function rig(speed: number, loop = false, file = path.join(dir, "small.candump")) {
  writeFileSync(path.join(dir, "small.candump"), LOG);
  const clock = new FakeClock();
  const bus = new EventBus();
  const health: HealthReport[] = [];
  bus.on("health", (h) => health.push(h));
  const replay = new CandumpReplay({ file, speed, loop, clock, bus });
  const batches: CanFrame[][] = [];
  replay.onFrames((b) => batches.push(b));
  return { clock, replay, batches, health };
}

describe("CandumpReplay", () => {
  it.each([
    [1, [10, 90]],
    [2, [5, 45]],
  ])(
    "at speed %d keeps the log's spacing on the clock, batching frames due together",
    async (speed, gaps) => {
      const r = rig(speed);
      const t0 = r.clock.now();
      await r.replay.start();
      await until(() => r.batches.length === 1 && r.clock.timerCount === 1, "first batch");
      expect(r.batches.map((b) => b.map((f) => f.id))).toEqual([[0x100]]);
      r.clock.advance((gaps[0] as number) - 1);
      await new Promise((r) => setTimeout(r, 10));
      expect(r.batches).toHaveLength(1);
      r.clock.advance(1);
      await until(() => r.batches.length === 2 && r.clock.timerCount === 1, "second batch");
      expect(r.batches[1]?.map((f) => f.id)).toEqual([0x200, 0x301]);
      r.clock.advance(gaps[1] as number);
      await r.replay.finished();
      expect(r.batches.map((b) => b.map((f) => f.id))).toEqual([[0x100], [0x200, 0x301], [0x400]]);
      // Timestamps follow the replay clock, not 1970-era log times.
      const rel = r.batches.flat().map((f) => Math.round(f.timestamp * 1000 - t0));
      expect(rel).toEqual([0, 10 / speed, 10.6 / speed, 100 / speed].map(Math.round));
      expect(r.replay.status()).toMatchObject({
        state: "finished",
        frames: 4,
        fdSkipped: 1,
        invalidLines: 0,
      });
    },
  );

  it("at speed 0 emits everything at once with the original timestamps", async () => {
    const r = rig(0);
    await r.replay.start();
    await r.replay.finished();
    expect(r.batches.flat().map((f) => f.timestamp)).toEqual([1000, 1000.01, 1000.0106, 1000.1]);
    expect(r.clock.timerCount).toBe(0);
  });

  it("loops until stopped", async () => {
    const r = rig(0, true);
    await r.replay.start();
    await until(() => r.batches.length >= 7, "three passes");
    await r.replay.stop();
    const n = r.batches.length;
    expect(r.replay.status()).toMatchObject({ state: "stopped" });
    expect((r.replay.status().loops as number) >= 2).toBe(true);
    await new Promise((res) => setTimeout(res, 20));
    expect(r.batches).toHaveLength(n);
  });

  it("stop() during a paced wait cancels the timer", async () => {
    const r = rig(1);
    await r.replay.start();
    await until(() => r.clock.timerCount === 1, "waiting");
    await r.replay.stop();
    expect(r.clock.timerCount).toBe(0);
    expect(r.replay.status().state).toBe("stopped");
  });

  it("reports a missing file as health down, without throwing", async () => {
    const r = rig(1, false, path.join(dir, "missing.candump"));
    await r.replay.start();
    await r.replay.finished();
    expect(r.replay.status()).toMatchObject({ state: "failed" });
    expect(r.health).toMatchObject([{ component: "can", state: "down" }]);
    expect(r.health[0]?.detail).toContain("ENOENT");
  });

  it.skipIf(!fixturePresent(speedLog))(
    "replays the real 41,250-frame Ford log as fast as possible",
    async () => {
      const clock = new FakeClock();
      const replay = new CandumpReplay({ file: speedLog, speed: 0, loop: false, clock });
      let frames = 0;
      let last = 0;
      let ordered = true;
      replay.onFrames((b) => {
        for (const f of b) {
          if (f.timestamp < last) ordered = false;
          last = f.timestamp;
        }
        frames += b.length;
      });
      await replay.start();
      await replay.finished();
      expect(frames).toBe(41_250);
      expect(ordered).toBe(true);
    },
  );
});
