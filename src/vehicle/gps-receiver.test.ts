import { SerialPortMock } from "serialport";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { recordingBus, until } from "../../test/support/recording-bus.js";
import { gpsConfigSchema } from "./gps-config.js";
import { GPS_SPEED_SIGNAL, GpsReceiver } from "./gps-receiver.js";

const PATH = "/dev/serial/by-id/usb-u-blox_GNSS_receiver-if00";
// Checksums computed independently (python) from the bodies.
const RMC = "$GNRMC,142233.00,A,4807.038,N,01131.000,E,27.0,90.0,261126,,,A*4B\r\n";
const GGA = "$GNGGA,142233.00,4807.038,N,01131.000,E,1,09,0.8,545.4,M,46.9,M,,*7F\r\n";
const VTG = "$GNVTG,90.0,T,,M,27.0,N,50.0,K,A*2A\r\n";
const NO_FIX = "$GNRMC,142234.00,V,,,,,,,261126,,,N*61\r\n";
const OLD_RMC = "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n";

let port: SerialPortMock | undefined;
const factory = (path: string, baudRate: number) => {
  port = new SerialPortMock({ path, baudRate, autoOpen: false });
  return port;
};
const send = (text: string) => port?.port?.emitData(Buffer.from(text, "latin1"));

afterEach(() => SerialPortMock.binding.reset());

async function rig(config: Record<string, unknown> = {}) {
  SerialPortMock.binding.createPort(PATH);
  const clock = new FakeClock();
  const rec = recordingBus();
  const gps = new GpsReceiver(
    gpsConfigSchema.parse({
      enabled: true,
      source: { path: PATH, reconnect: { initialMs: 100, maxMs: 400 } },
      ...config,
    }),
    { clock, bus: rec.bus, portFactory: factory },
  );
  await gps.start();
  await until(() => rec.health.at(-1)?.state === "ok", "serial open");
  return { clock, gps, ...rec };
}

describe("GpsReceiver (NMEA over SerialPortMock)", () => {
  it("publishes merged fixes as gps events and the gps.speedKmh signal, with status", async () => {
    const r = await rig();
    send(GGA + VTG);
    send(RMC.slice(0, 30));
    expect(r.fixes).toEqual([]);
    send(RMC.slice(30));
    await until(() => r.fixes.length === 1, "fix");
    const at = r.clock.now();
    expect(r.fixes[0]).toEqual({
      at,
      lat: 48 + 7.038 / 60,
      lon: 11 + 31 / 60,
      speedKmh: 27 * 1.852,
      courseDeg: 90,
      fix: "3d",
      satellites: 9,
      hdop: 0.8,
    });
    expect(r.signals).toEqual([{ name: GPS_SPEED_SIGNAL, value: 27 * 1.852, unit: "km/h", at }]);
    expect(r.gps.status()).toMatchObject({
      source: "serial",
      device: PATH,
      hasFix: true,
      fixes: 1,
      gpsTime: "2026-11-26T14:22:33.000Z",
      clockOffsetMs: 0,
      link: { sentences: 3, rejected: 0, state: "up" },
    });
    expect(r.alerts).toEqual([]);
    await r.gps.stop();
    expect(r.clock.timerCount).toBe(0);
  });

  it("counts checksum errors, truncated and garbage sentences without publishing them", async () => {
    const r = await rig();
    send(RMC.replace("*4B", "*4C"));
    send("$GNRMC,142233.00,A,4807.0\r\n");
    send("\u0000\u00ff garbage\r\n");
    send("$GPGSV,3,1,11,03,03,111,00,04,15,270,00,06,01,010,00,13,06,292,00*74\r\n");
    send(RMC);
    await until(() => r.fixes.length === 1, "the one good fix");
    expect(r.gps.status()).toMatchObject({
      link: {
        sentences: 1,
        ignored: 1,
        rejected: 3,
        lastRejected: { reason: "no '$' start" },
      },
    });
    await r.gps.stop();
  });

  it("turns health degraded and speed null without a valid fix, and ok when fixes return", async () => {
    const r = await rig({ staleAfterSeconds: 5 });
    send(RMC);
    await until(() => r.fixes.length === 1, "fix");
    send(NO_FIX);
    await until(() => (r.gps.status().noFixEpochs as number) === 1, "no-fix epoch");
    r.clock.advance(4000);
    expect(r.health.map((h) => h.state)).toEqual(["ok"]);
    r.clock.advance(1000);
    expect(r.health.at(-1)).toMatchObject({
      component: "gps",
      state: "degraded",
      detail: "no valid GPS fix for 5 s",
    });
    expect(r.signals.at(-1)).toMatchObject({ name: GPS_SPEED_SIGNAL, value: null });
    expect(r.gps.status().hasFix).toBe(false);
    r.clock.advance(10_000);
    expect(r.health.filter((h) => h.state === "degraded")).toHaveLength(1);
    send(RMC);
    await until(() => r.fixes.length === 2, "fix again");
    expect(r.health.at(-1)).toMatchObject({ state: "ok", detail: "2d fix" });
    await r.gps.stop();
  });

  it("raises clock-skew once when the system clock disagrees with GPS time", async () => {
    const r = await rig();
    send(OLD_RMC + OLD_RMC);
    await until(() => r.fixes.length === 2, "fixes");
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({ code: "clock-skew", severity: "warning" });
    expect(r.alerts[0]?.message).toContain("GPS 1994-03-23T12:35:19.000Z");
    await r.gps.stop();
  });

  it("reports the receiver unplugged as down, then reconnects", async () => {
    const r = await rig();
    send(RMC);
    await until(() => r.fixes.length === 1, "fix");
    port?._disconnected(new Error("unplugged"));
    await until(() => r.health.at(-1)?.state === "down", "down");
    expect(r.alerts.map((a) => a.code)).toEqual(["serial-disconnected"]);
    r.clock.advance(1000);
    // Speed is unknown while the receiver is gone.
    expect(r.signals.at(-1)).toMatchObject({ value: null });
    expect(r.health.filter((h) => h.state === "degraded")).toEqual([]);
    await until(() => r.health.at(-1)?.state === "ok", "back");
    send(RMC);
    await until(() => r.fixes.length === 2, "fix after reconnect");
    await r.gps.stop();
  });
});
