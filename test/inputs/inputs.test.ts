import { afterAll, describe, expect, it } from "vitest";
import { EventBus, type HealthReport } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import type { Command, Trigger } from "../../src/core/trigger.js";
import { inputsConfigSchema } from "../../src/inputs/config.js";
import { createInputs, type InputsOptions, UnknownInputError } from "../../src/inputs/inputs.js";
import type { SysfsGpio } from "../../src/inputs/onoff-line.js";
import { FakeClock } from "../support/fake-clock.js";
import { pi4, removeFakeSysfs } from "./fake-sysfs.js";

afterAll(removeFakeSysfs);

const flush = async () => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

const car = {
  gpio: [
    { name: "lightbar", role: "lightbar", chip: "pinctrl-bcm2711", line: 17, activeLow: true },
    { name: "button", role: "button", chip: "pinctrl-bcm2711", line: 27, activeLow: true },
    { name: "door", role: "door", backend: "simulated" },
  ],
};

function rig(config: unknown, mode: "run" | "demo", extra: Partial<InputsOptions> = {}) {
  const clock = new FakeClock();
  const bus = new EventBus();
  const triggers: Trigger[] = [];
  const commands: Command[] = [];
  const health: HealthReport[] = [];
  bus.on("trigger", (t) => triggers.push(t));
  bus.on("command", (c) => commands.push(c));
  bus.on("health", (h) => health.push(h));
  const inputs = createInputs({
    config: inputsConfigSchema.parse(config),
    bus,
    clock,
    logger: silentLogger(),
    mode,
    ...extra,
  });
  return { clock, bus, inputs, triggers, commands, health };
}

describe("createInputs", () => {
  it("demo mode simulates every input; simulate() and press() drive them through debounce", async () => {
    const r = rig(car, "demo");
    await r.inputs.start();
    expect(r.inputs.status().gpio.map((s) => [s.name, s.backend, s.active, s.health])).toEqual([
      ["lightbar", "simulated", false, "ok"],
      ["button", "simulated", false, "ok"],
      ["door", "simulated", false, "ok"],
    ]);
    r.inputs.simulate("lightbar", true);
    r.clock.advance(200);
    expect(r.triggers).toMatchObject([{ origin: { kind: "lightbar", id: "lightbar" }, active: true }]);
    expect(r.inputs.status().gpio[0]).toMatchObject({ level: 0, active: true });
    r.inputs.press("button", 400);
    r.clock.advance(700);
    expect(r.commands.map((c) => [c.kind, c.origin.kind])).toEqual([["start", "button"]]);
    r.inputs.press("button", 3000);
    r.clock.advance(2000);
    expect(r.commands.map((c) => c.kind)).toEqual(["start", "stop"]);
    r.clock.advance(2000);
    expect(r.commands.map((c) => c.kind)).toEqual(["start", "stop"]);
    r.inputs.simulate("door", true);
    r.clock.advance(200);
    expect(r.triggers.at(-1)).toMatchObject({ origin: { kind: "gpio", id: "door" }, active: true });
    expect(r.health.map((h) => h.component).sort()).toEqual(["gpio:button", "gpio:door", "gpio:lightbar"]);
    await r.inputs.stop();
    expect(r.clock.timerCount).toBe(0);
  });

  it("stop cancels a press still being held", async () => {
    const r = rig(car, "demo");
    await r.inputs.start();
    r.inputs.press("button", 10_000);
    await r.inputs.stop();
    expect(r.clock.timerCount).toBe(0);
  });

  it("simulate() refuses unknown inputs and inputs wired to hardware; press() refuses a bad hold", async () => {
    const r = rig(car, "run", { sysfsRoot: pi4(), gpioFactory: async () => fakeGpio(1) });
    await r.inputs.start();
    expect(() => r.inputs.simulate("horn", true)).toThrow(UnknownInputError);
    expect(() => r.inputs.simulate("horn", true)).toThrow(
      "no GPIO input named 'horn' (inputs: lightbar, button, door)",
    );
    expect(() => r.inputs.simulate("lightbar", true)).toThrow(
      "GPIO input 'lightbar' is wired to hardware, not simulated",
    );
    expect(() => r.inputs.press("door", 0)).toThrow(RangeError);
    r.inputs.simulate("door", true);
    r.clock.advance(200);
    expect(r.triggers.map((t) => t.origin.id)).toEqual(["door"]);
    await r.inputs.stop();
  });

  it("run mode opens onoff lines on the resolved sysfs numbers and triggers on a light bar already on", async () => {
    const opened: number[] = [];
    const r = rig(car, "run", {
      sysfsRoot: pi4(),
      gpioFactory: async (n) => {
        opened.push(n);
        return fakeGpio(n === 529 ? 0 : 1); // lights on (activeLow: low), button released (high)
      },
    });
    await r.inputs.start();
    expect(opened).toEqual([529, 539]);
    expect(r.triggers).toMatchObject([
      {
        origin: { kind: "lightbar", id: "lightbar" },
        active: true,
        reason: "lightbar input 'lightbar' (line low, activeLow) already active when camsync started",
      },
    ]);
    expect(r.inputs.status().gpio[0]).toMatchObject({
      line: "pinctrl-bcm2711 line 17 (sysfs gpio529)",
      active: true,
    });
    await r.inputs.stop();
  });

  it("one input that cannot be opened is down; the others work and start() does not fail", async () => {
    const config = {
      gpio: [
        { name: "lightbar", role: "lightbar", chip: "pinctrl-rp1", line: 17 },
        { name: "door", role: "door", backend: "simulated" },
      ],
    };
    const r = rig(config, "run", { sysfsRoot: pi4(), gpioFactory: async () => fakeGpio(0) });
    await r.inputs.start();
    const [lightbar, door] = r.inputs.status().gpio;
    expect(lightbar).toMatchObject({ health: "down", level: null, active: null });
    expect(lightbar?.detail).toMatch(/^no GPIO chip labelled or named 'pinctrl-rp1'.*; retrying in 1 s$/);
    expect(door).toMatchObject({ health: "ok" });
    r.clock.advance(1000);
    await flush();
    expect(r.health.filter((h) => h.component === "gpio:lightbar").map((h) => h.state)).toEqual([
      "down",
      "down",
    ]);
    await r.inputs.stop();
    expect(r.clock.timerCount).toBe(0);
  });

  it("the gpiomon backend is built from config with the configured version", async () => {
    const calls: string[] = [];
    const r = rig(
      {
        gpio: [
          {
            name: "siren",
            role: "siren",
            backend: "gpiomon",
            chip: "gpiochip0",
            line: 5,
            gpiomonVersion: 2,
          },
        ],
      },
      "run",
      {
        spawn: (command, args) => {
          calls.push([command, ...args].join(" "));
          throw new Error("spawn EACCES");
        },
      },
    );
    await r.inputs.start();
    expect(calls).toEqual(["gpioget -c gpiochip0 5"]);
    expect(r.inputs.status().gpio[0]).toMatchObject({ backend: "gpiomon", health: "down" });
    await r.inputs.stop();
  });
});

function fakeGpio(value: number): SysfsGpio {
  return { readSync: () => value, watch: () => {}, unwatchAll: () => {}, unexport: () => {} };
}
