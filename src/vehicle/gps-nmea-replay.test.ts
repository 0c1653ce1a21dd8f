import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { recordingBus, until } from "../../test/support/recording-bus.js";
import type { GpsEpoch } from "./gps-fix.js";
import { NmeaReplayFeed } from "./gps-nmea-replay.js";
import { formatNmeaSentence } from "./nmea-parser.js";

const dir = mkdtempSync(path.join(tmpdir(), "camsync-nmea-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rmc = (time: string, knots: string) =>
  formatNmeaSentence(`GPRMC,${time},A,4807.038,N,01131.000,E,${knots},84.4,230394,,`);
const LOG = [
  rmc("123519", "10.0"),
  "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
  "corrupt line",
  rmc("123520", "20.0"),
  rmc("123522", "30.0"), // 2 s gap
  "",
].join("\r\n");

function rig(speed: number, loop: boolean, file = path.join(dir, "drive.nmea")) {
  writeFileSync(path.join(dir, "drive.nmea"), LOG);
  const clock = new FakeClock();
  const rec = recordingBus();
  const epochs: GpsEpoch[] = [];
  const feed = new NmeaReplayFeed({ file, speed, loop, clock, bus: rec.bus, onEpoch: (e) => epochs.push(e) });
  return { clock, feed, epochs, ...rec };
}

const knots = (epochs: GpsEpoch[]) => epochs.map((e) => Math.round((e.fix?.speedKmh ?? 0) / 1.852));

describe("NmeaReplayFeed", () => {
  it("paces epochs by the RMC times divided by speed, without GPS time", async () => {
    const r = rig(2, false);
    r.feed.start();
    await until(() => r.epochs.length === 1 && r.clock.timerCount === 1, "first epoch");
    expect(r.health).toMatchObject([{ component: "gps", state: "ok" }]);
    expect(r.feed.upSince()).toBe(0);
    r.clock.advance(499);
    await new Promise((res) => setTimeout(res, 10));
    expect(r.epochs).toHaveLength(1);
    r.clock.advance(1);
    await until(() => r.epochs.length === 2 && r.clock.timerCount === 1, "second epoch");
    r.clock.advance(1000);
    await until(() => r.epochs.length === 3, "third epoch");
    expect(knots(r.epochs)).toEqual([10, 20, 30]);
    expect(r.epochs.every((e) => e.gpsTimeMs === null)).toBe(true);
    expect(r.epochs[0]?.fix).toMatchObject({ satellites: null });
    expect(r.epochs[1]?.fix).toMatchObject({ satellites: 8, fix: "3d" });
    expect(r.feed.status()).toMatchObject({ epochs: 3, rejected: 1, playing: false });
  });

  it("loops until stopped, and stop() cancels the wait", async () => {
    const r = rig(1, true);
    r.feed.start();
    for (let i = 0; i < 4; i++) {
      await until(() => r.clock.timerCount === 1, "waiting");
      r.clock.advance(2000);
    }
    await until(() => r.epochs.length >= 4, "second pass");
    expect(knots(r.epochs).slice(0, 4)).toEqual([10, 20, 30, 10]);
    await r.feed.stop();
    expect(r.clock.timerCount).toBe(0);
    expect(r.feed.upSince()).toBeNull();
  });

  it("reports an unreadable file as health down", async () => {
    const r = rig(1, false, path.join(dir, "missing.nmea"));
    r.feed.start();
    await until(() => r.health.length === 1, "down");
    expect(r.health[0]).toMatchObject({ component: "gps", state: "down" });
    expect(r.health[0]?.detail).toContain("ENOENT");
    await r.feed.stop();
  });
});
