import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { inputFileProblem, kindOf } from "../storage/input-file.js";
import type { Config } from "./schema.js";

/**
 * What `camsync run` would fail on, found before it runs (`camsync config check`): the files the
 * config names (DBC, replay logs, certificates, S3 credentials, ffmpeg) and a data dir that cannot
 * be used. Problems are what would stop the daemon or leave a component down; warnings are what may
 * legitimately be absent when checking (a camera or adapter not plugged in on the bench). Checked
 * as the user running the check: run it as the service user for permissions to mean anything.
 */
export interface Preflight {
  problems: string[];
  warnings: string[];
}

/** Why dataDir cannot be used or created (null when it can). */
export function dataDirProblem(dir: string): string | null {
  let probe = dir;
  while (!existsSync(probe)) {
    const parent = dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  try {
    const st = statSync(probe);
    if (!st.isDirectory()) {
      return probe === dir
        ? `dataDir: ${dir}: ${kindOf(st)}, not a directory`
        : `dataDir: ${dir} cannot be created: ${probe} is ${kindOf(st)}`;
    }
    accessSync(probe, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    return `dataDir: ${dir}: ${probe === dir ? "not writable" : `cannot be created in ${probe}`} (${code})`;
  }
  return null;
}

/** A bare executable name is looked up on PATH; a path must be an executable file. */
function executableProblem(key: string, command: string, path = process.env.PATH ?? ""): string | null {
  const candidates = command.includes("/") ? [command] : path.split(delimiter).map((d) => join(d, command));
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) {
        accessSync(c, constants.X_OK);
        return null;
      }
    } catch {
      // next candidate
    }
  }
  return command.includes("/")
    ? `${key}: ${command} is not an executable file`
    : `${key}: ${command} not found on PATH`;
}

function deviceWarning(key: string, path: string): string | null {
  return existsSync(path) ? null : `${key}: ${path} is not there now (not plugged in?)`;
}

export function preflight(config: Config): Preflight {
  const problems: (string | null)[] = [];
  const warnings: (string | null)[] = [];
  const file = (key: string, path: string | undefined) => {
    if (path !== undefined) problems.push(inputFileProblem(path, `${key}:`));
  };

  problems.push(dataDirProblem(config.dataDir));

  const { vehicleBus, gps, recorder, mqtt, evidence } = config;
  if (vehicleBus.enabled) {
    file("vehicleBus.dbc", vehicleBus.dbc);
    const s = vehicleBus.source;
    if (s.type === "replay") file("vehicleBus.source.file", s.file);
    if (s.type === "slcan") warnings.push(deviceWarning("vehicleBus.source.path", s.path));
  }
  if (gps.enabled) {
    const s = gps.source;
    if (s.type === "replay") file("gps.source.file", s.file);
    if (s.type === "serial") warnings.push(deviceWarning("gps.source.path", s.path));
  }
  if (recorder.cameras.length > 0) {
    problems.push(executableProblem("recorder.ffmpegPath", recorder.ffmpegPath));
    problems.push(executableProblem("recorder.ffprobePath", recorder.ffprobePath));
  }
  for (const [i, camera] of recorder.cameras.entries()) {
    if (camera.input.type === "v4l2") {
      warnings.push(deviceWarning(`recorder.cameras[${i}].input.device`, camera.input.device));
    }
  }
  if (!mqtt.embeddedBroker.enabled) {
    file("mqtt.caFile", mqtt.caFile);
    file("mqtt.certFile", mqtt.certFile);
    file("mqtt.keyFile", mqtt.keyFile);
  }
  if (evidence.offload.enabled) file("evidence.offload.credentialsFile", evidence.offload.credentialsFile);

  return {
    problems: problems.filter((p): p is string => p !== null),
    warnings: warnings.filter((w): w is string => w !== null),
  };
}
