import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_CONFIG_PATH, loadConfigFile } from "../config/load.js";
import { InputPathError, requireDirectory } from "../storage/input-file.js";

export { controlSocketPath } from "../control/control-protocol.js";

import { UsageError } from "./command.js";

/**
 * Where a running daemon's data lives, from `--data-dir DIR` or `--config FILE`
 * (default /etc/camsync/camsync.yaml, or $CAMSYNC_CONFIG).
 */
export function locateDataDir(opts: {
  "data-dir"?: string | undefined;
  config?: string | undefined;
}): string {
  if (opts["data-dir"]) {
    const dir = resolve(opts["data-dir"]);
    // Missing: each command says what that means (no daemon listening, nothing recorded yet).
    if (existsSync(dir)) requireDirectory(dir, "--data-dir");
    return dir;
  }
  const path = opts.config ?? process.env.CAMSYNC_CONFIG ?? DEFAULT_CONFIG_PATH;
  if (!opts.config && !existsSync(path)) {
    throw new UsageError(`no --config or --data-dir given and ${path} does not exist`);
  }
  const r = loadConfigFile(path);
  if (!r.ok) throw new InputPathError(r.path, `cannot use ${r.path}:\n  ${r.problems.join("\n  ")}`);
  const dir = resolve(r.config.dataDir);
  // Not there yet is fine (no daemon ever ran); something else in its place is not.
  if (existsSync(dir)) requireDirectory(dir, `dataDir of ${r.path}:`);
  return dir;
}

/** The options every command that talks to a running daemon accepts. */
export const locateOptions = {
  config: { type: "string", short: "c" },
  "data-dir": { type: "string", short: "d" },
} as const;

export const LOCATE_HELP = `  -c, --config FILE     the daemon's config file (default ${DEFAULT_CONFIG_PATH}, or $CAMSYNC_CONFIG)
  -d, --data-dir DIR    the daemon's data directory (instead of --config)`;
