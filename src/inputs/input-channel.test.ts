import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { type Alert, EventBus, type HealthReport } from "../core/event-bus.js";
import { silentLogger } from "../core/logger.js";
import type { Command, Trigger } from "../core/trigger.js";
import { type GpioInputConfig, inputsConfigSchema } from "./config.js";
import type { DigitalLine, Level, LineListener } from "./digital-line.js";
import { InputChannel } from "./input-channel.js";
import { SimulatedLine } from "./simulated-line.js";

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function inputConfig(input: Record<string, unknown>): GpioInputConfig {
  const parsed = inputsConfigSchema.parse({ gpio: [{ backend: "simulated", ...input }] }).gpio[0];
  if (!parsed) throw new Error("no input");
  return parsed;
}

/** Real timers can fire up to a millisecond before performance.now() reaches their due time. */
class EarlyTimersClock extends FakeClock {
  override setTimeout(fn: () => void, ms: number) {
    return super.setTimeout(fn, ms > 1 ? ms - 1 : ms);
  }
}

async function rig(
  input: Record<string, unknown>,
  opts: { initial?: Level; line?: DigitalLine; clock?: FakeClock } = {},
) {
  const clock = opts.clock ?? new FakeClock();
  const bus = new EventBus();
  const config = inputConfig(input);
  const sim = new SimulatedLine(config.name, opts.initial ?? 0);
  const line = opts.line ?? sim;
  const triggers: Trigger[] = [];
  const commands: Command[] = [];
  const health: HealthReport[] = [];
  const alerts: Alert[] = [];
  bus.on("trigger", (t) => triggers.push(t));
  bus.on("command", (c) => commands.push(c));
  bus.on("health", (h) => health.push(h));
  bus.on("alert", (a) => alerts.push(a));
  const channel = new InputChannel({
    input: config,
    backend: "simulated",
    line,
    bus,
    clock,
    logger: silentLogger(),
  });
  await channel.start();
  const t0 = clock.now();
  /** Milliseconds since start, for readable expectations. */
  const rel = (at: number) => at - t0;
  return { clock, bus, sim, channel, triggers, commands, health, alerts, rel };
}

describe("InputChannel: triggers", () => {
  it("a light bar edge becomes an active trigger after the debounce, and a clear after release", async () => {
    const r = await rig({ name: "lightbar", role: "lightbar" });
    r.sim.set(1);
    r.clock.advance(199);
    expect(r.triggers).toEqual([]);
    r.clock.advance(1);
    expect(r.triggers).toHaveLength(1);
    expect(r.triggers[0]).toMatchObject({
      origin: { kind: "lightbar", id: "lightbar" },
      active: true,
      reason: "lightbar input 'lightbar' (line high) became active",
    });
    expect(r.rel(r.triggers[0]?.at ?? 0)).toBe(200);
    r.clock.advance(5000);
    r.sim.set(0);
    r.clock.advance(200);
    expect(r.triggers.map((t) => t.active)).toEqual([true, false]);
    await r.channel.stop();
  });

  it("bounces shorter than the debounce produce nothing", async () => {
    const r = await rig({ name: "lightbar", role: "lightbar" });
    for (let i = 0; i < 10; i++) {
      r.sim.set(1);
      r.clock.advance(20);
      r.sim.set(0);
      r.clock.advance(20);
    }
    r.clock.advance(2000);
    expect(r.triggers).toEqual([]);
    await r.channel.stop();
  });

  it("activeLow: the line going low is active", async () => {
    const r = await rig({ name: "siren", role: "siren", activeLow: true }, { initial: 1 });
    r.clock.advance(1000);
    expect(r.triggers).toEqual([]);
    r.sim.set(0);
    r.clock.advance(200);
    expect(r.triggers).toMatchObject([
      {
        origin: { kind: "gpio", id: "siren" },
        active: true,
        reason: "siren input 'siren' (line low, activeLow) became active",
      },
    ]);
    expect(r.channel.status()).toMatchObject({ level: 0, active: true, health: "ok", changes: 1 });
    await r.channel.stop();
  });

  it("an input already active when camsync starts triggers at once, saying so", async () => {
    const r = await rig({ name: "lightbar", role: "lightbar", activeLow: true }, { initial: 0 });
    expect(r.triggers).toMatchObject([
      {
        origin: { kind: "lightbar", id: "lightbar" },
        active: true,
        reason: "lightbar input 'lightbar' (line low, activeLow) already active when camsync started",
      },
    ]);
    expect(r.rel(r.triggers[0]?.at ?? -1)).toBe(0);
    await r.channel.stop();
  });

  it("a named trigger role has origin kind gpio", async () => {
    const r = await rig({ name: "rack", role: "shotgun-rack" }, { initial: 1 });
    expect(r.triggers[0]?.origin).toEqual({ kind: "gpio", id: "rack" });
    await r.channel.stop();
  });

  it("the periodic re-read catches a missed edge and feeds it through the debounce", async () => {
    const r = await rig({ name: "lightbar", role: "lightbar", rereadMs: 1000 });
    r.clock.advance(300);
    r.sim.set(1, { edge: false });
    r.clock.advance(699);
    expect(r.triggers).toEqual([]);
    r.clock.advance(1); // re-read at 1000 ms sees 1; commits at 1200 after a confirming read
    r.clock.advance(199);
    expect(r.triggers).toEqual([]);
    r.clock.advance(1);
    expect(r.triggers.map((t) => [r.rel(t.at), t.active])).toEqual([[1200, true]]);
    await r.channel.stop();
  });

  it("with rereadMs 0 a missed edge stays missed", async () => {
    const r = await rig({ name: "lightbar", role: "lightbar", rereadMs: 0 });
    r.sim.set(1, { edge: false });
    r.clock.advance(10_000);
    expect(r.triggers).toEqual([]);
    await r.channel.stop();
  });

  it("stop releases every timer", async () => {
    const r = await rig({ name: "b", role: "button" });
    r.sim.set(1);
    r.clock.advance(300);
    await r.channel.stop();
    expect(r.clock.timerCount).toBe(0);
  });
});

describe("InputChannel: the in-car button", () => {
  it("a short press is a start command with origin button, when released", async () => {
    const r = await rig({ name: "button", role: "button" });
    r.sim.set(1);
    r.clock.advance(600);
    expect(r.commands).toEqual([]);
    r.sim.set(0);
    r.clock.advance(200);
    expect(r.commands).toMatchObject([
      { kind: "start", origin: { kind: "button", id: "button" }, reason: "button 'button' pressed" },
    ]);
    expect(r.triggers).toEqual([]);
    await r.channel.stop();
  });

  it("a long press stops when the hold reaches longPressMs (from the physical press), not at release", async () => {
    const r = await rig({ name: "button", role: "button", longPressMs: 2000 });
    r.sim.set(1);
    r.clock.advance(1999);
    expect(r.commands).toEqual([]);
    r.clock.advance(1);
    expect(r.commands.map((c) => [c.kind, r.rel(c.at)])).toEqual([["stop", 2000]]);
    expect(r.commands[0]?.reason).toBe("button 'button' held for 2000 ms (long press)");
    r.clock.advance(3000);
    r.sim.set(0);
    r.clock.advance(500);
    expect(r.commands.map((c) => c.kind)).toEqual(["stop"]);
    await r.channel.stop();
  });

  it("timers that fire early still debounce and fire the long press on time", async () => {
    const r = await rig(
      { name: "button", role: "button", longPressMs: 2000 },
      { clock: new EarlyTimersClock() },
    );
    r.sim.set(1);
    r.clock.advance(199);
    expect(r.channel.status().active).toBe(false);
    r.clock.advance(1);
    expect(r.channel.status().active).toBe(true);
    r.clock.advance(1799);
    expect(r.commands).toEqual([]);
    r.clock.advance(1);
    expect(r.commands.map((c) => [c.kind, r.rel(c.at)])).toEqual([["stop", 2000]]);
    await r.channel.stop();
  });

  it("an activeLow button with bounces on press and release is one short press", async () => {
    const r = await rig({ name: "button", role: "button", activeLow: true }, { initial: 1 });
    for (const level of [0, 1, 0, 1, 0] as const) {
      r.sim.set(level);
      r.clock.advance(15);
    }
    r.clock.advance(800);
    for (const level of [1, 0, 1] as const) {
      r.sim.set(level);
      r.clock.advance(15);
    }
    r.clock.advance(300);
    expect(r.commands.map((c) => c.kind)).toEqual(["start"]);
    await r.channel.stop();
  });

  it("a button held down at start is not a press", async () => {
    const r = await rig({ name: "button", role: "button" }, { initial: 1 });
    r.clock.advance(5000);
    r.sim.set(0);
    r.clock.advance(300);
    expect(r.commands).toEqual([]);
    expect(r.triggers).toEqual([]);
    await r.channel.stop();
  });
});

describe("InputChannel: health", () => {
  it("reports ok at start as gpio:{name}", async () => {
    const r = await rig({ name: "lightbar", role: "lightbar" });
    expect(r.health).toMatchObject([{ component: "gpio:lightbar", state: "ok" }]);
    await r.channel.stop();
  });

  it("a button stuck down past stuckAfterSeconds degrades health with an alert, and recovers on release", async () => {
    const r = await rig({ name: "button", role: "button" });
    r.sim.set(1);
    r.clock.advance(30_199);
    expect(r.alerts).toEqual([]);
    r.clock.advance(1);
    expect(r.health.at(-1)).toMatchObject({
      component: "gpio:button",
      state: "degraded",
      detail: "stuck: active for 30 s (stuckAfterSeconds 30)",
    });
    expect(r.alerts).toMatchObject([{ code: "input-stuck", severity: "warning", device: "gpio:button" }]);
    expect(r.alerts[0]?.message).toBe("button input 'button' stuck: active for 30 s (stuckAfterSeconds 30)");
    r.sim.set(0);
    r.clock.advance(200);
    expect(r.health.at(-1)).toMatchObject({ state: "ok" });
    expect(r.health.map((h) => h.state)).toEqual(["ok", "degraded", "ok"]);
    await r.channel.stop();
  });

  it("light bars are not stuck by default; stuckAfterSeconds turns it on", async () => {
    const off = await rig({ name: "lightbar", role: "lightbar" }, { initial: 1 });
    off.clock.advance(3_600_000);
    expect(off.alerts).toEqual([]);
    await off.channel.stop();
    const on = await rig({ name: "lightbar", role: "lightbar", stuckAfterSeconds: 600 }, { initial: 1 });
    on.clock.advance(600_000);
    expect(on.alerts.map((a) => a.code)).toEqual(["input-stuck"]);
    await on.channel.stop();
  });

  it("flapping: more than maxChanges in the window degrades, once, and recovers when it calms down", async () => {
    const r = await rig({
      name: "lightbar",
      role: "lightbar",
      flapping: { maxChanges: 4, windowSeconds: 10 },
    });
    for (let i = 0; i < 6; i++) {
      r.sim.set(i % 2 === 0 ? 1 : 0);
      r.clock.advance(500);
    }
    expect(r.triggers).toHaveLength(6);
    expect(r.alerts.map((a) => a.code)).toEqual(["input-flapping"]);
    expect(r.health.at(-1)).toMatchObject({
      state: "degraded",
      detail: "flapping: 5 changes in the last 10 s (more than 4)",
    });
    expect(r.channel.status().detail).toBe("flapping: 6 changes in the last 10 s (more than 4)");
    r.clock.advance(10_000);
    expect(r.health.at(-1)).toMatchObject({ state: "ok" });
    expect(r.alerts).toHaveLength(1);
    await r.channel.stop();
  });

  it("a line that fails to open is down with an alert, and is reopened with backoff", async () => {
    let attempts = 0;
    const sim = new SimulatedLine("lightbar", 1);
    const flaky: DigitalLine = {
      description: "flaky line",
      async open(listener: LineListener) {
        attempts += 1;
        if (attempts < 3) throw new Error("EACCES: permission denied, open '/sys/class/gpio/export'");
        return sim.open(listener);
      },
      read: () => sim.read(),
      close: () => sim.close(),
    };
    const r = await rig({ name: "lightbar", role: "lightbar" }, { line: flaky });
    expect(r.health.at(-1)).toMatchObject({ component: "gpio:lightbar", state: "down" });
    expect(r.health.at(-1)?.detail).toContain("EACCES");
    expect(r.alerts).toMatchObject([{ code: "input-unavailable", severity: "critical" }]);
    r.clock.advance(1000);
    await flush();
    expect(attempts).toBe(2);
    r.clock.advance(1999);
    await flush();
    expect(attempts).toBe(2);
    r.clock.advance(1);
    await flush();
    expect(attempts).toBe(3);
    expect(r.health.at(-1)).toMatchObject({ state: "ok" });
    expect(r.triggers).toMatchObject([{ active: true }]);
    expect(r.alerts).toHaveLength(1);
    await r.channel.stop();
  });

  it("read errors on re-read make the input down until a read succeeds", async () => {
    const sim = new SimulatedLine("lightbar", 0);
    let broken = false;
    const line: DigitalLine = {
      description: "sysfs gpio529",
      open: (l) => sim.open(l),
      read: () => {
        if (broken) throw new Error("EIO: i/o error, read");
        return sim.read();
      },
      close: () => sim.close(),
    };
    const r = await rig({ name: "lightbar", role: "lightbar" }, { line });
    broken = true;
    r.clock.advance(1000);
    expect(r.health.at(-1)).toMatchObject({
      state: "down",
      detail: "cannot read sysfs gpio529: EIO: i/o error, read",
    });
    r.clock.advance(5000);
    expect(r.health.filter((h) => h.state === "down")).toHaveLength(1);
    broken = false;
    r.clock.advance(1000);
    expect(r.health.at(-1)).toMatchObject({ state: "ok" });
    await r.channel.stop();
  });
});
