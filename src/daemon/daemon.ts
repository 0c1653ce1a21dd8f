import type { Config } from "../config/schema.js";
import { Bus } from "../core/bus.js";
import type { Clock } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { Logger } from "./logger.js";

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** `demo` builds simulated inputs and test-pattern cameras where the config asks for them. */
  mode: "run" | "demo";
}

/**
 * The composition root: builds every component from the validated config and wires them through the bus.
 * Components never import each other; they meet here.
 */
export class Daemon {
  readonly bus = new Bus();
  private readonly components: Component[] = [];

  constructor(private readonly opts: DaemonOptions) {}

  async start(): Promise<void> {
    const { config, logger, clock, mode } = this.opts;
    void config;
    void logger;
    void clock;
    void mode;
    // [slot:gpio] inputs (GPIO backends, button)
    // [slot:vehicle] CAN bus source + DBC rules, GPS
    // [slot:recorder] cameras, ring, events, manifest
    // [slot:bodycam] MQTT sync, outbox, embedded broker
    // [slot:evidence] audit log, offload, retention
    for (const c of this.components) await c.start();
  }

  async stop(): Promise<void> {
    for (const c of [...this.components].reverse()) await c.stop();
  }
}
