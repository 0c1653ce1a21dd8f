import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { CanSource } from "./can-source.js";
import { CandumpReplay } from "./candump-replay.js";
import type { SerialPortFactory } from "./serial-port.js";
import { SlcanSource } from "./slcan-source.js";
import { SocketcanSource, type SpawnFn } from "./socketcan-source.js";
import type { CanSourceConfig } from "./source-config.js";

export interface CanSourceDeps {
  clock: Clock;
  bus: EventBus;
  logger?: Logger;
  /** Serial ports for SLCAN (default: node-serialport; tests pass SerialPortMock). */
  portFactory?: SerialPortFactory;
  /** Child processes for SocketCAN (default: node's spawn). */
  spawn?: SpawnFn;
}

/** Build the CanSource the `vehicleBus.source` config section describes. */
export function createCanSource(config: CanSourceConfig, deps: CanSourceDeps): CanSource {
  const { clock, bus, logger } = deps;
  switch (config.type) {
    case "slcan":
      return new SlcanSource(config, {
        clock,
        bus,
        ...(logger ? { logger } : {}),
        ...(deps.portFactory ? { portFactory: deps.portFactory } : {}),
      });
    case "socketcan":
      return new SocketcanSource(config, {
        clock,
        bus,
        ...(logger ? { logger } : {}),
        ...(deps.spawn ? { spawn: deps.spawn } : {}),
      });
    case "replay":
      return new CandumpReplay({
        file: config.file,
        speed: config.speed,
        loop: config.loop,
        clock,
        bus,
        ...(logger ? { logger } : {}),
      });
  }
}
