import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_CONFIG_PATH, loadConfigFile } from "../config/load.js";

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
  if (opts["data-dir"]) return resolve(opts["data-dir"]);
  const path = opts.config ?? process.env.CAMSYNC_CONFIG ?? DEFAULT_CONFIG_PATH;
  if (!opts.config && !existsSync(path)) {
    throw new UsageError(`no --config or --data-dir given and ${path} does not exist`);
  }
  const r = loadConfigFile(path);
  if (!r.ok) throw new UsageError(`cannot use ${r.path}:\n  ${r.problems.join("\n  ")}`);
  return resolve(r.config.dataDir);
}

/** The options every command that talks to a running daemon accepts. */
export const locateOptions = {
  config: { type: "string", short: "c" },
  "data-dir": { type: "string", short: "d" },
} as const;

export const LOCATE_HELP = `  -c, --config FILE     the daemon's config file (default ${DEFAULT_CONFIG_PATH}, or $CAMSYNC_CONFIG)
  -d, --data-dir DIR    the daemon's data directory (instead of --config)`;
