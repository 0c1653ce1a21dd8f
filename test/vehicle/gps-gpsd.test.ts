import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { gpsConfigSchema } from "../../src/vehicle/gps-config.js";
import { GPS_SPEED_SIGNAL, GpsReceiver } from "../../src/vehicle/gps-receiver.js";
import { FakeClock } from "../support/fake-clock.js";
import { recordingBus, until } from "../support/recording-bus.js";

/** A tiny gpsd on loopback: greets with VERSION, records what the client asks, and sends reports on demand. */
class FakeGpsd {
  readonly server: Server = createServer((s) => this.accept(s));
  readonly requests: string[] = [];
  readonly clients: Socket[] = [];
  connections = 0;

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    const addr = this.server.address();
    if (addr === null || typeof addr === "string") throw new Error("no port");
    return addr.port;
  }

  private accept(s: Socket): void {
    this.connections++;
    this.clients.push(s);
    s.setEncoding("utf8");
    s.on("data", (d: string) => this.requests.push(d));
    s.on("error", () => {});
    s.write('{"class":"VERSION","release":"3.25","rev":"3.25","proto_major":3,"proto_minor":15}\n');
  }

  send(line: string): void {
    for (const c of this.clients) if (!c.destroyed) c.write(`${line}\n`);
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    this.clients.length = 0;
    await new Promise((r) => this.server.close(() => r(undefined)));
  }
}

const SKY =
  '{"class":"SKY","device":"/dev/ttyACM0","hdop":0.92,"satellites":[{"PRN":2,"used":true},{"PRN":5,"used":true},{"PRN":7,"used":true},{"PRN":9,"used":true},{"PRN":11,"used":false}]}';
const TPV =
  '{"class":"TPV","device":"/dev/ttyACM0","mode":3,"time":"2026-11-26T14:22:33.000Z","lat":48.1173,"lon":11.5166667,"alt":545.4,"track":90.0,"speed":13.889}';

let gpsd: FakeGpsd | undefined;
let receiver: GpsReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  await gpsd?.close().catch(() => {});
  receiver = undefined;
  gpsd = undefined;
});

describe("GpsReceiver with gpsd over TCP (fake gpsd on loopback)", () => {
  it("sends ?WATCH, publishes TPV fixes with SKY data, and reconnects after gpsd restarts", async () => {
    gpsd = new FakeGpsd();
    const port = await gpsd.listen();
    const clock = new FakeClock();
    const rec = recordingBus();
    receiver = new GpsReceiver(
      gpsConfigSchema.parse({
        enabled: true,
        source: { type: "gpsd", port, reconnect: { initialMs: 200, maxMs: 1000 } },
      }),
      { clock, bus: rec.bus },
    );
    await receiver.start();
    await until(() => gpsd?.requests.join("") === '?WATCH={"enable":true,"json":true};\n', "WATCH request");
    expect(rec.health).toMatchObject([{ component: "gps", state: "ok" }]);

    gpsd.send(SKY);
    gpsd.send('{"class":"DEVICES","devices":[]}');
    gpsd.send("garbage that is not json");
    gpsd.send(TPV);
    await until(() => rec.fixes.length === 1, "fix");
    expect(rec.fixes[0]).toMatchObject({
      lat: 48.1173,
      lon: 11.5166667,
      fix: "3d",
      satellites: 4,
      hdop: 0.92,
      courseDeg: 90,
    });
    expect(rec.fixes[0]?.speedKmh).toBeCloseTo(50.0, 2);
    expect(rec.signals.at(-1)).toMatchObject({ name: GPS_SPEED_SIGNAL, unit: "km/h" });
    expect(receiver.status()).toMatchObject({
      source: "gpsd",
      device: `127.0.0.1:${port}`,
      hasFix: true,
      clockOffsetMs: 0,
      link: { gpsdRelease: "3.25", reports: 2, invalid: 1, state: "up" },
    });

    // gpsd goes away: health down, one alert, retries with backoff on the clock.
    await gpsd.close();
    await until(() => rec.health.at(-1)?.state === "down", "down");
    expect(rec.health.at(-1)?.detail).toBe(`gpsd 127.0.0.1:${port}: gpsd closed the connection`);
    expect(rec.alerts.map((a) => a.code)).toEqual(["gpsd-disconnected"]);
    clock.advance(200);
    await until(
      () => /"lastError":"cannot connect: connect ECONNREFUSED/.test(JSON.stringify(receiver?.status().link)),
      "refused",
    );

    gpsd = new FakeGpsd();
    await gpsd.listen(port);
    clock.advance(400);
    await until(() => rec.health.at(-1)?.state === "ok", "reconnected");
    expect(gpsd.connections).toBe(1);
    await until(() => gpsd?.requests.length === 1, "WATCH again");
    gpsd.send('{"class":"TPV","mode":1,"time":"2026-11-26T14:22:35.000Z"}');
    gpsd.send(TPV);
    await until(() => rec.fixes.length === 2, "fix after reconnect");
    expect(receiver.status()).toMatchObject({ noFixEpochs: 1, fixes: 2 });
    expect(rec.alerts).toHaveLength(1);
  });
});
