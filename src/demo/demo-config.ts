import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/schema.js";

/** The camsync package directory (where config/ and dist/ live), wherever the demo is started from. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DEMO_CONFIG_PATH = resolve(PACKAGE_ROOT, "config/demo.yaml");

export interface DemoOverrides {
  /** Relative to the current directory (default: the config's dataDir). */
  dataDir?: string | undefined;
  /** Port of the embedded MQTT broker (0 = any free port). */
  mqttPort?: number | undefined;
  /** Port of the status page (0 = any free port). */
  httpPort?: number | undefined;
}

/**
 * The demo's config: the validated demo.yaml with the command-line overrides applied. Relative replay
 * files (the shipped synthetic CAN capture and GPS track) are resolved against the package, so the demo
 * runs from any directory.
 */
export function demoConfig(config: Config, o: DemoOverrides, packageRoot = PACKAGE_ROOT): Config {
  const c = structuredClone(config);
  c.dataDir = resolve(o.dataDir ?? c.dataDir);
  if (o.mqttPort !== undefined) c.mqtt.embeddedBroker.port = o.mqttPort;
  if (o.httpPort !== undefined) c.control.statusPage.port = o.httpPort;
  for (const source of [c.vehicleBus.source, c.gps.source]) {
    if (source.type === "replay" && !isAbsolute(source.file)) source.file = resolve(packageRoot, source.file);
  }
  return c;
}

/** A port given on the command line: an integer 0–65535. */
export function parsePort(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65_535)
    throw new RangeError(`${option} expects a port number 0-65535, got '${text}'`);
  return n;
}
