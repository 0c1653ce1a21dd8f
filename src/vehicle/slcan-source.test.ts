import { SerialPortMock } from "serialport";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { recordingBus, until } from "../../test/support/recording-bus.js";
import type { CanFrame } from "./can-frame.js";
import type { SerialPortLike } from "./serial-port.js";
import { SlcanSource } from "./slcan-source.js";
import { slcanSourceSchema } from "./source-config.js";

const PATH = "/dev/serial/by-id/usb-CANable_test-if00";

/** A scripted SLCAN adapter behind SerialPortMock: answers each command it receives. */
class MockAdapter {
  readonly received: string[] = [];
  current: SerialPortMock | undefined;
  answer: (command: string) => string = (c) =>
    c === "V" ? "V1013\r" : /^(C|S[0-8]|L|O|Z1)$/.test(c) ? "\r" : "\x07";

  readonly factory = (path: string, baudRate: number): SerialPortLike => {
    const port = new SerialPortMock({ path, baudRate, autoOpen: false });
    this.current = port;
    const write = port.write.bind(port);
    const self = this;
    return Object.assign(port, {
      write(data: string | Uint8Array, cb: (err: Error | null | undefined) => void): boolean {
        const ok = write(data, cb);
        for (const cmd of Buffer.from(data).toString("latin1").split("\r").filter(Boolean)) {
          self.received.push(cmd);
          setImmediate(() => port.port?.emitData(self.answer(cmd)));
        }
        return ok;
      },
    });
  };

  send(text: string): void {
    this.current?.port?.emitData(Buffer.from(text, "latin1"));
  }
}

function rig(config: Record<string, unknown> = {}) {
  const clock = new FakeClock();
  const { bus, health, alerts } = recordingBus();
  const adapter = new MockAdapter();
  const source = new SlcanSource(slcanSourceSchema.parse({ path: PATH, ...config }), {
    clock,
    bus,
    portFactory: adapter.factory,
  });
  const batches: CanFrame[][] = [];
  source.onFrames((f) => batches.push(f));
  return { clock, bus, health, alerts, adapter, source, batches };
}

afterEach(() => SerialPortMock.binding.reset());

describe("SlcanSource (SerialPortMock)", () => {
  it("waits for a missing adapter with backoff, then runs the handshake and streams frames", async () => {
    const r = rig({ reconnect: { initialMs: 100, maxMs: 400 } });
    await r.source.start();
    await until(() => r.health.length === 1, "health down");
    expect(r.health[0]).toMatchObject({ component: "can", state: "down" });
    expect(r.health[0]?.detail).toContain("cannot open");
    expect(r.alerts.map((a) => a.code)).toEqual(["serial-disconnected"]);

    SerialPortMock.binding.createPort(PATH);
    r.clock.advance(100);
    await until(() => r.source.status().streaming === true, "streaming");
    expect(r.adapter.received).toEqual(["C", "V", "S6", "L"]);
    expect(r.health.at(-1)).toMatchObject({ state: "ok" });
    expect(r.source.status()).toMatchObject({ adapterVersion: "1013", listenOnly: true, bitrate: 500_000 });

    r.adapter.send("t4563112233\rT12ABCDEF2AA55\rjunk\rd123A303132333435363738393a3b3c3d3e3f\r");
    await until(() => r.batches.length === 1, "frames");
    expect(
      r.batches[0]?.map((f) => [f.id, f.extended, Buffer.from(f.data).toString("hex"), f.channel]),
    ).toEqual([
      [0x456, false, "112233", "slcan0"],
      [0x12abcdef, true, "aa55", "slcan0"],
    ]);
    expect(r.batches[0]?.[0]?.timestamp).toBe(r.clock.now() / 1000);
    expect(r.source.status()).toMatchObject({
      frames: 2,
      garbage: 1,
      fdSkipped: 1,
      lastGarbage: { reason: "unknown line" },
    });

    await r.source.stop();
    expect(r.adapter.received.at(-1)).toBe("C");
    expect(r.clock.timerCount).toBe(0);
  });

  it("sends O only when listenOnly is false, and Z1 when timestamps are on", async () => {
    SerialPortMock.binding.createPort(PATH);
    const r = rig({ listenOnly: false, timestamps: true, queryVersion: false, bitrate: 250_000 });
    await r.source.start();
    await until(() => r.source.status().streaming === true, "streaming");
    expect(r.adapter.received).toEqual(["C", "S5", "Z1", "O"]);
    await r.source.stop();
  });

  it("keeps frames that arrive in the same read as the open command's CR", async () => {
    SerialPortMock.binding.createPort(PATH);
    const r = rig({ queryVersion: false });
    r.adapter.answer = (c) => (c === "L" ? "\rt1230\rt4560\r" : "\r");
    await r.source.start();
    await until(() => r.source.status().streaming === true, "streaming");
    expect(r.batches.flat().map((f) => f.id)).toEqual([0x123, 0x456]);
    r.adapter.send("t7890\r");
    await until(() => r.batches.length === 2, "next frame");
    expect(r.batches.flat().map((f) => f.id)).toEqual([0x123, 0x456, 0x789]);
    expect(r.source.status()).toMatchObject({ frames: 3, droppedBeforeOpen: 0 });
    await r.source.stop();
  });

  it("reports a refused bitrate as a clear health detail and keeps retrying", async () => {
    SerialPortMock.binding.createPort(PATH);
    const r = rig({ queryVersion: false, reconnect: { initialMs: 100, maxMs: 400 } });
    r.adapter.answer = (c) => (c.startsWith("S") ? "\x07" : "\r");
    await r.source.start();
    await until(() => r.health.length === 1, "health down");
    expect(r.health[0]?.detail).toBe(
      `${PATH}: SLCAN open failed (set the bitrate to 500000 bit/s): adapter refused 'S6' (BEL)`,
    );
    expect(r.source.status().streaming).toBe(false);
    r.adapter.answer = () => "\r";
    r.clock.advance(100);
    await until(() => r.source.status().streaming === true, "streaming after retry");
    expect(r.health.at(-1)?.state).toBe("ok");
    await r.source.stop();
  });

  it("drops frames that arrive before the channel is opened, and reconnects after a disconnect", async () => {
    SerialPortMock.binding.createPort(PATH);
    const r = rig({ queryVersion: false, reconnect: { initialMs: 100, maxMs: 400 } });
    // An adapter still streaming from an earlier session: frames come before our handshake ends.
    r.adapter.answer = (c) => (c === "C" ? "t1230\r\r" : "\r");
    await r.source.start();
    await until(() => r.source.status().streaming === true, "streaming");
    expect(r.batches).toEqual([]);
    expect(r.source.status().droppedBeforeOpen).toBe(1);

    r.adapter.current?._disconnected(new Error("device reports readiness to read but returned no data"));
    await until(() => r.health.at(-1)?.state === "down", "down");
    expect(r.health.at(-1)?.detail).toBe(`${PATH}: adapter disconnected`);
    expect(r.source.status()).toMatchObject({ streaming: false, state: "waiting" });
    r.clock.advance(100);
    await until(() => r.source.status().streaming === true, "streaming again");
    expect(r.source.status()).toMatchObject({ reconnects: 1, opens: 2 });
    await r.source.stop();
  });
});
