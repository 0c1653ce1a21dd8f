import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { EventBus } from "../core/event-bus.js";
import { createCanSource } from "./can-source-factory.js";
import { CandumpReplay } from "./candump-replay.js";
import { SlcanSource } from "./slcan-source.js";
import { SocketcanSource } from "./socketcan-source.js";
import { canSourceConfigSchema } from "./source-config.js";

const deps = { clock: new FakeClock(), bus: new EventBus() };
const build = (input: unknown) => createCanSource(canSourceConfigSchema.parse(input), deps);

describe("canSourceConfigSchema + createCanSource", () => {
  it("defaults to a listen-only 500 kbit/s SLCAN adapter", () => {
    const config = canSourceConfigSchema.parse(undefined);
    expect(config).toMatchObject({
      type: "slcan",
      bitrate: 500_000,
      listenOnly: true,
      timestamps: false,
      baudRate: 115_200,
    });
    expect(build(undefined)).toBeInstanceOf(SlcanSource);
    expect(build({ path: "/dev/serial/by-id/usb-CANtact" }).status()).toMatchObject({
      type: "slcan",
      path: "/dev/serial/by-id/usb-CANtact",
      listenOnly: true,
      state: "stopped",
    });
  });

  it("builds SocketCAN and replay sources", () => {
    const s = build({ type: "socketcan", interface: "can1" });
    expect(s).toBeInstanceOf(SocketcanSource);
    expect(s.status()).toMatchObject({ type: "socketcan", interface: "can1", state: "stopped" });
    const r = build({ type: "replay", file: "x.candump", speed: 4, loop: true });
    expect(r).toBeInstanceOf(CandumpReplay);
    expect(r.status()).toMatchObject({
      type: "replay",
      file: "x.candump",
      speed: 4,
      loop: true,
      state: "idle",
    });
  });

  it.each([
    [{ bitrate: 750_000 }, "bitrate"],
    [{ type: "socketcan", path: "/dev/ttyACM0" }, ""],
    [{ type: "replay" }, "file"],
    [{ type: "replay", file: "x", speed: -1 }, "speed"],
    [{ type: "pcan" }, "type"],
    [{ listenonly: false }, ""],
    [{ type: "socketcan", interface: "can0; rm -rf /" }, "interface"],
  ])("rejects %j", (input, pathHead) => {
    const r = canSourceConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path.join(".") ?? "").toBe(pathHead);
  });
});
