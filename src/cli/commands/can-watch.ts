import { existsSync } from "node:fs";
import { DEFAULT_CONFIG_PATH, loadConfigFile } from "../../config/load.js";
import { systemClock } from "../../core/clock.js";
import { EventBus } from "../../core/event-bus.js";
import { createLogger } from "../../core/logger.js";
import { createCanSource } from "../../vehicle/can-source-factory.js";
import { signalSectionSchema } from "../../vehicle/signal-config.js";
import { SignalConfigError } from "../../vehicle/signal-selection.js";
import { createVehicleBus, loadDbc, VehicleBusConfigError } from "../../vehicle/vehicle-bus.js";
import { parseCommandArgs } from "../args.js";
import { EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";
import { chooseSignals, splitList } from "./can-signals.js";

function positiveNumber(text: string | undefined, name: string, def: number): number {
  if (text === undefined) return def;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} expects a number >= 0, got '${text}'`);
  return n;
}

const time = (epochMs: number) => new Date(epochMs).toISOString().slice(11, 23);

/**
 * `camsync can watch`: the configured CAN source, decoded and printed live. Uses the daemon's own
 * vehicle-bus component, so what the installer sees is what the daemon's rules see.
 */
export async function watchCan(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    config: { type: "string", short: "c" },
    dbc: { type: "string" },
    signals: { type: "string" },
    interval: { type: "string" },
    seconds: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(" ")}`);
  const intervalMs = positiveNumber(values.interval, "--interval", 250);
  const seconds = values.seconds === undefined ? undefined : positiveNumber(values.seconds, "--seconds", 0);
  const names = splitList(values.signals);

  const path = values.config ?? process.env.CAMSYNC_CONFIG ?? DEFAULT_CONFIG_PATH;
  if (!values.config && !existsSync(path)) {
    throw new UsageError(`no --config given and ${path} does not exist`);
  }
  const loaded = loadConfigFile(path);
  if (!loaded.ok) {
    process.stderr.write(
      `camsync can watch: invalid config ${loaded.path}:\n  ${loaded.problems.join("\n  ")}\n`,
    );
    return EXIT_FAILURE;
  }
  const vb = loaded.config.vehicleBus;
  const dbcPath = values.dbc ?? vb.dbc;
  let signals = names ?? vb.signals;
  try {
    // Nothing chosen: every signal of the DBC, each under a name that is unique (Message.Signal if needed).
    if (signals.length === 0 && vb.rules.length === 0) {
      if (!dbcPath)
        throw new UsageError("no signals to watch: give --dbc FILE or configure vehicleBus.dbc/signals");
      const all = chooseSignals(loadDbc(dbcPath), undefined);
      const count = new Map<string, number>();
      for (const s of all) count.set(s.name, (count.get(s.name) ?? 0) + 1);
      signals = all.map((s) => ((count.get(s.name) ?? 0) > 1 ? `${s.messageName}.${s.name}` : s.name));
    }
  } catch (err) {
    if (err instanceof VehicleBusConfigError) {
      process.stderr.write(`camsync can watch: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }
  const config = signalSectionSchema.parse({
    ...(dbcPath ? { dbc: dbcPath } : {}),
    signals,
    rules: vb.rules,
    signalIntervalMs: intervalMs,
  });

  const bus = new EventBus();
  const clock = systemClock;
  // Health and rule lines already say what matters; the log only adds errors.
  const logger = createLogger({ level: "error", destination: process.stderr });
  const print = (text: string, json: Record<string, unknown>) =>
    process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
  bus.on("signal", (s) =>
    print(`${time(s.at)}  ${s.name} = ${s.value ?? "unknown"}${s.unit ? ` ${s.unit}` : ""}`, {
      type: "signal",
      ...s,
    }),
  );
  bus.on("trigger", (t) =>
    print(`${time(t.at)}  RULE ${t.origin.id} ${t.active ? "ON " : "OFF"} ${t.reason}`, {
      type: "trigger",
      ...t,
    }),
  );
  bus.on("health", (h) =>
    print(`${time(h.at)}  HEALTH ${h.component} ${h.state}${h.detail ? ` (${h.detail})` : ""}`, {
      type: "health",
      ...h,
    }),
  );

  const source = createCanSource(vb.source, { clock, bus, logger });
  const component = createVehicleBus({ config, bus, clock, logger, source });
  try {
    await component.start();
  } catch (err) {
    if (err instanceof VehicleBusConfigError || err instanceof SignalConfigError) {
      process.stderr.write(`camsync can watch: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    if (seconds !== undefined) setTimeout(done, seconds * 1000);
  });
  await component.stop();
  return EXIT_OK;
}
