import type { Clock, TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { GpioInputConfig, InputsConfig } from "./config.js";
import type { DigitalLine } from "./digital-line.js";
import type { SpawnTool } from "./gpiod-process.js";
import { type GpiomonCommands, GpiomonLine } from "./gpiomon-line.js";
import { InputChannel, type InputStatus } from "./input-channel.js";
import { OnoffLine, type SysfsGpioFactory } from "./onoff-line.js";
import { SimulatedLine } from "./simulated-line.js";

export interface InputsOptions {
  config: InputsConfig;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** `demo`: every input is simulated, whatever its backend. */
  mode: "run" | "demo";
  /** Seams for tests: a fake sysfs tree, a fake onoff Gpio, scripted libgpiod tools. */
  sysfsRoot?: string;
  gpioFactory?: SysfsGpioFactory;
  spawn?: SpawnTool;
  gpiodCommands?: Partial<GpiomonCommands>;
}

export interface Inputs extends Component {
  status(): { gpio: InputStatus[] };
  /** Set a simulated input active or inactive (it still goes through debounce). */
  simulate(name: string, active: boolean): void;
  /** Press a simulated button (or assert any simulated input) for `holdMs`, then release it. */
  press(name: string, holdMs: number): void;
}

export class UnknownInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownInputError";
  }
}

function backendFor(input: GpioInputConfig, mode: InputsOptions["mode"]): GpioInputConfig["backend"] {
  return mode === "demo" ? "simulated" : input.backend;
}

function createLine(input: GpioInputConfig, opts: InputsOptions): DigitalLine {
  const backend = backendFor(input, opts.mode);
  if (backend === "simulated" || input.chip === undefined || input.line === undefined) {
    return new SimulatedLine(input.name, input.activeLow ? 1 : 0);
  }
  if (backend === "onoff") {
    return new OnoffLine({
      chip: input.chip,
      line: input.line,
      ...(opts.sysfsRoot ? { sysfsRoot: opts.sysfsRoot } : {}),
      ...(opts.gpioFactory ? { gpioFactory: opts.gpioFactory } : {}),
    });
  }
  return new GpiomonLine({
    chip: input.chip,
    line: input.line,
    version: input.gpiomonVersion,
    clock: opts.clock,
    ...(opts.spawn ? { spawn: opts.spawn } : {}),
    ...(opts.gpiodCommands ? { commands: opts.gpiodCommands } : {}),
  });
}

/** The GPIO inputs component: one channel per configured input, all on the bus. */
export function createInputs(opts: InputsOptions): Inputs {
  const logger = opts.logger.child({ component: "inputs" });
  const channels = opts.config.gpio.map(
    (input) =>
      new InputChannel({
        input,
        backend: backendFor(input, opts.mode),
        line: createLine(input, opts),
        bus: opts.bus,
        clock: opts.clock,
        logger,
      }),
  );
  const releases = new Set<TimerHandle>();

  const simulatedLine = (name: string): { channel: InputChannel; line: SimulatedLine } => {
    const channel = channels.find((c) => c.name === name);
    if (!channel) {
      const known = channels.map((c) => c.name).join(", ") || "none configured";
      throw new UnknownInputError(`no GPIO input named '${name}' (inputs: ${known})`);
    }
    const line = channel.line;
    if (!(line instanceof SimulatedLine)) {
      throw new UnknownInputError(`GPIO input '${name}' is wired to hardware, not simulated`);
    }
    return { channel, line };
  };

  const simulate = (name: string, active: boolean): void => {
    const { channel, line } = simulatedLine(name);
    line.set(channel.levelFor(active));
  };

  return {
    name: "inputs",
    async start() {
      await Promise.all(channels.map((c) => c.start()));
    },
    async stop() {
      for (const handle of releases) opts.clock.clearTimeout(handle);
      releases.clear();
      await Promise.all(channels.map((c) => c.stop()));
    },
    status() {
      return { gpio: channels.map((c) => c.status()) };
    },
    simulate,
    press(name, holdMs) {
      if (!Number.isFinite(holdMs) || holdMs <= 0) throw new RangeError(`holdMs must be > 0, got ${holdMs}`);
      simulate(name, true);
      const handle = opts.clock.setTimeout(() => {
        releases.delete(handle);
        simulate(name, false);
      }, holdMs);
      releases.add(handle);
    },
  };
}
