import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PolledSerialPort } from "../../src/vehicle/serial-line-port.js";
import { until } from "../support/recording-bus.js";
import { type DeviceEnd, hasSocat, SocatPair } from "./serial-pty.js";

describe.skipIf(!hasSocat)("PolledSerialPort on socat pseudo-terminals", () => {
  let pty: SocatPair;
  let device: DeviceEnd | undefined;
  let port: PolledSerialPort | undefined;

  beforeAll(() => {
    pty = new SocatPair();
  });
  afterAll(async () => {
    await pty.dispose();
  });
  afterEach(async () => {
    if (port?.isOpen) await new Promise((r) => port?.close(r));
    await device?.close();
    await pty.unplug();
  });

  async function open(): Promise<{ chunks: Buffer[]; closes: (Error | undefined)[] }> {
    await pty.plugIn();
    device = await pty.openDevice();
    port = new PolledSerialPort(pty.hostPath, 115200);
    const chunks: Buffer[] = [];
    const closes: (Error | undefined)[] = [];
    port.on("data", (c: Buffer) => chunks.push(c));
    port.on("close", (err?: Error) => closes.push(err));
    await new Promise<void>((resolve, reject) => port?.open((err) => (err ? reject(err) : resolve())));
    return { chunks, closes };
  }

  it("reads everything the device writes, in order, including more than one read buffer's worth", async () => {
    const { chunks } = await open();
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    await device?.write(big.toString("latin1"));
    await until(() => chunks.reduce((n, c) => n + c.length, 0) >= big.length, "all bytes");
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
  });

  it("writes to the device, queueing overlapping writes", async () => {
    await open();
    const got: Buffer[] = [];
    device?.port.on("data", (c: Buffer) => got.push(c));
    const results: (Error | null | undefined)[] = [];
    for (const s of ["C\r", "S6\r", "L\r"]) port?.write(s, (err) => results.push(err));
    await until(() => Buffer.concat(got).toString() === "C\rS6\rL\r", "writes");
    await until(() => results.length === 3, "write callbacks");
    expect(results).toEqual([null, null, null]);
  });

  it("reports the peer going away as close with disconnected, and our own close without", async () => {
    const first = await open();
    await device?.close();
    await pty.unplug();
    await until(() => first.closes.length === 1, "close after unplug");
    expect(first.closes[0]).toMatchObject({ disconnected: true });
    expect(port?.isOpen).toBe(false);
    port?.write("x", (err) => expect(err?.message).toBe("Port is not open"));

    const second = await open();
    await new Promise((r) => port?.close(r));
    expect(second.closes).toEqual([undefined]);
    expect(port?.isOpen).toBe(false);
  });

  it("fails to open a missing device", async () => {
    const p = new PolledSerialPort(`${pty.dir}/missing`, 115200);
    const err = await new Promise<Error | null>((r) => p.open(r));
    expect(err?.message).toMatch(/No such file or directory/);
  });
});
