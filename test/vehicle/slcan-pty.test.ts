import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { type Alert, EventBus, type HealthReport } from "../../src/core/event-bus.js";
import type { CanFrame } from "../../src/vehicle/can-frame.js";
import { encodeSlcanFrame } from "../../src/vehicle/slcan-commands.js";
import { SlcanSource } from "../../src/vehicle/slcan-source.js";
import { slcanSourceSchema } from "../../src/vehicle/source-config.js";
import { until } from "../support/recording-bus.js";
import { type DeviceEnd, hasSocat, SocatPair } from "./serial-pty.js";

/**
 * Real pseudo-terminals: socat links ttyA (the test plays the SLCAN adapter there) to ttyB (opened by
 * SlcanSource through a stable symlink, as /dev/serial/by-id would be). Killing socat is an unplug.
 */

let pty: SocatPair;

/** The adapter end: answers SLCAN commands like a CANable and writes frames on demand. */
class PtyAdapter {
  readonly commands: string[] = [];
  private device: DeviceEnd | undefined;
  private pending = "";

  async open(): Promise<void> {
    const device = await pty.openDevice();
    device.port.on("data", (chunk: Buffer) => {
      this.pending += chunk.toString("latin1");
      let i = this.pending.indexOf("\r");
      while (i >= 0) {
        const cmd = this.pending.slice(0, i);
        this.pending = this.pending.slice(i + 1);
        this.commands.push(cmd);
        device.port.write(cmd === "V" ? "V1013\r" : /^(C|S[0-8]|L|O|Z1)$/.test(cmd) ? "\r" : "\x07");
        i = this.pending.indexOf("\r");
      }
    });
    this.device = device;
  }

  write(data: string): Promise<void> {
    if (!this.device) throw new Error("adapter not open");
    return this.device.write(data);
  }

  async close(): Promise<void> {
    await this.device?.close();
    this.device = undefined;
  }
}

function frameLine(i: number): string {
  const data = Buffer.alloc(8);
  data.writeUInt32BE(i, 0);
  data.writeUInt32BE(~i >>> 0, 4);
  return encodeSlcanFrame({ id: i % 0x800, extended: false, remote: false, dlc: 8, data });
}

describe.skipIf(!hasSocat)("SlcanSource over socat pseudo-terminals", () => {
  let adapter: PtyAdapter;
  let source: SlcanSource;
  const health: HealthReport[] = [];
  const alerts: Alert[] = [];
  const frames: CanFrame[] = [];

  beforeAll(() => {
    pty = new SocatPair();
  });

  afterAll(async () => {
    await pty.dispose();
  });

  afterEach(async () => {
    await source?.stop();
    await adapter?.close();
    await pty.unplug();
    health.length = 0;
    alerts.length = 0;
    frames.length = 0;
  });

  async function connect(config: Record<string, unknown> = {}): Promise<void> {
    await pty.plugIn();
    adapter = new PtyAdapter();
    await adapter.open();
    const bus = new EventBus();
    bus.on("health", (h) => health.push(h));
    bus.on("alert", (a) => alerts.push(a));
    source = new SlcanSource(
      slcanSourceSchema.parse({ path: pty.hostPath, reconnect: { initialMs: 50, maxMs: 200 }, ...config }),
      { clock: systemClock, bus },
    );
    source.onFrames((batch) => frames.push(...batch));
    await source.start();
    await until(() => source.status().streaming === true, "handshake");
  }

  it("opens with the handshake: close, version, bitrate, listen-only", async () => {
    await connect({ bitrate: 1_000_000 });
    expect(adapter.commands).toEqual(["C", "V", "S8", "L"]);
    expect(source.status()).toMatchObject({ adapterVersion: "1013", state: "up" });
    expect(health).toMatchObject([{ component: "can", state: "ok" }]);
  });

  it("receives 20,000 frames written at full rate, in order and intact", async () => {
    await connect();
    const n = 20_000;
    let text = "";
    for (let i = 0; i < n; i++) text += frameLine(i);
    await adapter.write(text);
    await until(() => frames.length >= n, `${n} frames (got ${frames.length})`);
    expect(frames).toHaveLength(n);
    frames.forEach((f, i) => {
      const d = Buffer.from(f.data);
      if (f.id !== i % 0x800 || d.readUInt32BE(0) !== i || d.readUInt32BE(4) !== ~i >>> 0) {
        throw new Error(`frame ${i} corrupted: ${f.id.toString(16)} ${d.toString("hex")}`);
      }
    });
    expect(source.status()).toMatchObject({ frames: n, garbage: 0 });
  });

  it("survives garbage and lines split across writes", async () => {
    await connect({ queryVersion: false });
    const parts = ["t12", "33", "1122", "33\r", "garbage!\r\x00\xff\r", "T01ABCDEF", "1", "FF\r", "t7FF0\r"];
    for (const p of parts) {
      await adapter.write(p);
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => frames.length === 3, "3 frames");
    expect(frames.map((f) => [f.id.toString(16), f.extended, Buffer.from(f.data).toString("hex")])).toEqual([
      ["123", false, "112233"],
      ["1abcdef", true, "ff"],
      ["7ff", false, ""],
    ]);
    expect(source.status()).toMatchObject({ garbage: 2 });
  });

  it("reports health down while unplugged and reconnects by itself after replug", async () => {
    await connect({ queryVersion: false });
    await adapter.write(frameLine(1));
    await until(() => frames.length === 1, "first frame");

    await adapter.close();
    await pty.unplug();
    await until(() => health.at(-1)?.state === "down", "health down");
    expect(health.at(-1)?.detail).toContain("ttyB");
    expect(alerts).toMatchObject([{ code: "serial-disconnected", device: pty.hostPath }]);
    // Stays down (retrying against a missing path) while unplugged: wait for a failed retry (not a fixed
    // time: on a loaded machine the first retry can come late).
    await until(
      () => source.status().state === "waiting" && /cannot open/.test(String(source.status().lastError)),
      "a failed open while unplugged",
      10_000,
    );
    expect(source.status()).toMatchObject({ streaming: false, state: "waiting" });
    expect(String(source.status().lastError)).toMatch(/cannot open/);

    await pty.plugIn();
    adapter = new PtyAdapter();
    await adapter.open();
    await until(() => source.status().streaming === true, "reconnect");
    expect(adapter.commands).toEqual(["C", "S6", "L"]);
    expect(health.at(-1)).toMatchObject({ state: "ok" });
    expect(source.status()).toMatchObject({ reconnects: 1 });
    await adapter.write(frameLine(2));
    await until(() => frames.length === 2, "frame after replug");
    expect(Buffer.from(frames[1]?.data ?? []).readUInt32BE(0)).toBe(2);
    expect(alerts).toHaveLength(1);
  });
});
