import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { gpsConfigSchema } from "../../src/vehicle/gps-config.js";
import { GPS_SPEED_SIGNAL, GpsReceiver } from "../../src/vehicle/gps-receiver.js";
import { FakeClock } from "../support/fake-clock.js";
import { recordingBus, until } from "../support/recording-bus.js";
import { type DeviceEnd, hasSocat, SocatPair } from "./serial-pty.js";

// Published example sentences (checksums verified independently of camsync).
const RMC = "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n";
const GGA = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n";
const VTG = "$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K*48\r\n";

describe.skipIf(!hasSocat)("GpsReceiver: NMEA receiver over socat pseudo-terminals", () => {
  let pty: SocatPair;
  let device: DeviceEnd | undefined;
  let gps: GpsReceiver | undefined;

  beforeAll(() => {
    pty = new SocatPair();
  });
  afterAll(async () => {
    await pty.dispose();
  });
  afterEach(async () => {
    await gps?.stop();
    await device?.close();
    await pty.unplug();
  });

  it("reads fixes through checksum errors and truncated sentences, and survives unplug/replug", async () => {
    await pty.plugIn();
    device = await pty.openDevice();
    const clock = new FakeClock(Date.UTC(1994, 2, 23, 12, 35, 19));
    const rec = recordingBus();
    gps = new GpsReceiver(
      gpsConfigSchema.parse({
        enabled: true,
        source: { path: pty.hostPath, reconnect: { initialMs: 100, maxMs: 400 } },
        staleAfterSeconds: 3,
      }),
      { clock, bus: rec.bus },
    );
    await gps.start();
    await until(() => rec.health.at(-1)?.state === "ok", "port open");

    // A receiver mid-sentence when we open, a corrupted sentence, a truncated one, then good epochs,
    // with a sentence split across writes.
    await device.write("31.000,E,022.4,084.4,230394,003.1,W*6A\r\n");
    await device.write(RMC.replace("022.4", "922.4"));
    await device.write("$GPGGA,123519,4807.038,N,011");
    await device.write("\r\n");
    await device.write(GGA + VTG + RMC.slice(0, 25));
    await device.write(RMC.slice(25));
    await until(() => rec.fixes.length === 1, "fix");
    expect(rec.fixes[0]).toMatchObject({
      lat: 48 + 7.038 / 60,
      lon: 11 + 31 / 60,
      fix: "3d",
      satellites: 8,
      hdop: 0.9,
    });
    expect(rec.fixes[0]?.speedKmh).toBeCloseTo(41.4848, 4);
    expect(rec.signals.at(-1)).toMatchObject({ name: GPS_SPEED_SIGNAL, unit: "km/h" });
    expect(gps.status()).toMatchObject({
      hasFix: true,
      link: { sentences: 3, rejected: 3, lastRejected: { reason: "missing checksum (truncated?)" } },
    });

    // No more fixes: degraded after staleAfterSeconds.
    clock.advance(3000);
    expect(rec.health.at(-1)).toMatchObject({ state: "degraded" });

    // Unplug: health down with the serial-disconnected alert; speed unknown.
    await device.close();
    await pty.unplug();
    await until(() => rec.health.at(-1)?.state === "down", "down");
    expect(rec.alerts.map((a) => a.code)).toEqual(["serial-disconnected"]);
    clock.advance(100); // retry while unplugged: still down
    await until(
      () => JSON.stringify(gps?.status().link ?? {}).includes('"lastError":"cannot open'),
      "retry failed",
    );
    expect(rec.signals.at(-1)).toMatchObject({ value: null });

    // Replug: the next retry opens it, fixes flow again.
    await pty.plugIn();
    device = await pty.openDevice();
    clock.advance(200);
    await until(() => rec.health.at(-1)?.state === "ok", "back");
    await device.write(GGA + RMC);
    await until(() => rec.fixes.length === 2, "fix after replug");
    await new Promise((r) => setTimeout(r, 20));
    expect(rec.fixes).toHaveLength(2);
    expect(rec.alerts).toHaveLength(1);
  });
});
