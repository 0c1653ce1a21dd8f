import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { recordingBus, until } from "../../test/support/recording-bus.js";
import type { CanFrame } from "./can-frame.js";
import { SocketcanSource } from "./socketcan-source.js";
import { socketcanSourceSchema } from "./source-config.js";

const dir = mkdtempSync(path.join(tmpdir(), "camsync-socketcan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for candump: records its arguments, prints candump -L lines, then behaves as told. */
function fakeCandump(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho "$@" >> "${file}.args"\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

let source: SocketcanSource | undefined;
afterEach(async () => {
  await source?.stop();
  source = undefined;
});

function rig(candump: string, iface = "vcan0") {
  const clock = new FakeClock();
  const { bus, health, alerts } = recordingBus();
  const config = socketcanSourceSchema.parse({
    type: "socketcan",
    interface: iface,
    candump,
    restart: { initialMs: 500, maxMs: 4000 },
  });
  const s = new SocketcanSource(config, { clock, bus, settleMs: 300 });
  source = s;
  const frames: CanFrame[] = [];
  s.onFrames((b) => frames.push(...b));
  return { clock, health, alerts, source: s, frames };
}

describe("SocketcanSource", () => {
  it("runs `candump -L <iface>` and delivers its frames with candump's timestamps", async () => {
    const exe = fakeCandump(
      "candump-ok",
      [
        "echo '(1700000000.000100) vcan0 123#1122'",
        "echo '(1700000000.000200) vcan0 12345678#R'",
        "echo '(1700000000.000300) vcan0 456##1AA'",
        "echo '(1700000000.000400) vcan0 7FF#'",
        "exec sleep 30",
      ].join("\n"),
    );
    const r = rig(exe);
    await r.source.start();
    await until(() => r.frames.length === 3, "3 frames");
    expect(readFileSync(`${exe}.args`, "utf8").trim()).toBe("-L vcan0");
    expect(r.frames.map((f) => [f.id, f.extended, f.remote, f.timestamp, f.channel])).toEqual([
      [0x123, false, false, 1700000000.0001, "vcan0"],
      [0x12345678, true, true, 1700000000.0002, "vcan0"],
      [0x7ff, false, false, 1700000000.0004, "vcan0"],
    ]);
    expect(r.health).toMatchObject([{ component: "can", state: "ok" }]);
    expect(r.source.status()).toMatchObject({ state: "up", frames: 3, fdSkipped: 1, candumpStarts: 1 });
    await r.source.stop();
    expect(r.source.status().state).toBe("stopped");
  });

  it("restarts candump with backoff after it exits, reporting health down with its stderr", async () => {
    const exe = fakeCandump(
      "candump-dies",
      ["echo '(1.000000) vcan0 100#01'", "sleep 0.05", "echo 'read: Network is down' >&2", "exit 1"].join(
        "\n",
      ),
    );
    const r = rig(exe);
    await r.source.start();
    await until(() => r.health.at(-1)?.state === "down", "down after exit");
    expect(r.frames).toHaveLength(1);
    expect(r.health.at(-1)?.detail).toBe("vcan0: candump exited with code 1: read: Network is down");
    expect(r.alerts).toMatchObject([{ code: "can-source-down", device: "vcan0" }]);
    expect(r.source.status()).toMatchObject({ state: "waiting", nextAttemptInMs: 500 });
    r.clock.advance(499);
    await new Promise((res) => setTimeout(res, 30));
    expect(r.source.status().candumpStarts).toBe(1);
    r.clock.advance(1);
    await until(() => r.frames.length === 2, "frame from the restarted candump");
    expect(r.source.status().candumpStarts).toBe(2);
  });

  it("keeps retrying, with growing delays, while the interface is missing", async () => {
    const exe = fakeCandump("candump-noif", "echo 'SIOCGIFINDEX: No such device' >&2\nexit 1");
    const r = rig(exe, "can9");
    await r.source.start();
    await until(() => r.source.status().state === "waiting", "first failure");
    expect(r.health).toMatchObject([
      { state: "down", detail: "can9: candump exited with code 1: SIOCGIFINDEX: No such device" },
    ]);
    for (const delay of [500, 1000]) {
      expect(r.source.status().nextAttemptInMs).toBe(delay);
      r.clock.advance(delay);
      await until(() => r.source.status().state === "waiting", "next failure");
    }
    expect(r.source.status()).toMatchObject({ candumpStarts: 3, nextAttemptInMs: 2000 });
    expect(r.alerts).toHaveLength(1);
    expect(r.health).toHaveLength(1);
  });

  it("counts a silent but running candump as up after the settle time", async () => {
    const r = rig(fakeCandump("candump-quiet", "exec sleep 30"));
    await r.source.start();
    await until(() => r.clock.timerCount === 1, "settle timer");
    expect(r.health).toEqual([]);
    r.clock.advance(300);
    await until(() => r.health.length === 1, "ok");
    expect(r.health[0]?.state).toBe("ok");
  });

  it("reports an executable that cannot be started", async () => {
    const r = rig(path.join(dir, "no-such-candump"));
    await r.source.start();
    await until(() => r.health.length === 1, "down");
    expect(r.health[0]?.detail).toMatch(
      /^vcan0: candump could not start \(spawn .*no-such-candump ENOENT\)$/,
    );
  });

  it.skipIf(!existsSync("/usr/bin/candump"))(
    "real candump on a missing interface is reported as down",
    async () => {
      const r = rig("candump", "nosuchcan0");
      await r.source.start();
      await until(() => r.health.length === 1, "down");
      expect(r.health[0]).toMatchObject({ state: "down" });
      // "No such device" where the kernel has CAN sockets; "Address family not supported" where it has none.
      expect(r.health[0]?.detail).toMatch(
        /^nosuchcan0: candump exited with code 1: .*(No such device|not supported)/,
      );
    },
  );
});
