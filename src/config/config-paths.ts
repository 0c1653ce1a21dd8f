import { isAbsolute, resolve } from "node:path";
import type { Config } from "./schema.js";

/**
 * Paths in a config file are relative to the file's own directory, not to wherever `camsync` was
 * started (a service's working directory is `/`; an installer's shell is anywhere). Absolute paths stay
 * as written; an executable given by bare name (`ffmpeg`) is looked up on PATH and stays too.
 */

/** Every path-valued key, as written in the file (docs, tests). */
export const CONFIG_PATH_KEYS = [
  "dataDir",
  "vehicleBus.source.path",
  "vehicleBus.source.file",
  "vehicleBus.dbc",
  "gps.source.path",
  "gps.source.file",
  "recorder.ffmpegPath",
  "recorder.ffprobePath",
  "recorder.cameras[].input.device",
  "mqtt.caFile",
  "mqtt.certFile",
  "mqtt.keyFile",
  "evidence.offload.credentialsFile",
] as const;

function against(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/** An executable: a bare name is a PATH lookup; anything with a slash is a path. */
function executable(base: string, path: string): string {
  return path.includes("/") ? against(base, path) : path;
}

function optional(base: string, path: string | undefined): string | undefined {
  return path === undefined ? undefined : against(base, path);
}

/** A copy of `config` with every relative path resolved against `baseDir` (the config file's directory). */
export function resolveConfigPaths(config: Config, baseDir: string): Config {
  const c = structuredClone(config);
  c.dataDir = against(baseDir, c.dataDir);
  const bus = c.vehicleBus.source;
  if (bus.type === "slcan") bus.path = against(baseDir, bus.path);
  if (bus.type === "replay") bus.file = against(baseDir, bus.file);
  c.vehicleBus.dbc = optional(baseDir, c.vehicleBus.dbc);
  const gps = c.gps.source;
  if (gps.type === "serial") gps.path = against(baseDir, gps.path);
  if (gps.type === "replay") gps.file = against(baseDir, gps.file);
  c.recorder.ffmpegPath = executable(baseDir, c.recorder.ffmpegPath);
  c.recorder.ffprobePath = executable(baseDir, c.recorder.ffprobePath);
  for (const camera of c.recorder.cameras) {
    if (camera.input.type === "v4l2") camera.input.device = against(baseDir, camera.input.device);
  }
  c.mqtt.caFile = optional(baseDir, c.mqtt.caFile);
  c.mqtt.certFile = optional(baseDir, c.mqtt.certFile);
  c.mqtt.keyFile = optional(baseDir, c.mqtt.keyFile);
  c.evidence.offload.credentialsFile = against(baseDir, c.evidence.offload.credentialsFile);
  return c;
}
