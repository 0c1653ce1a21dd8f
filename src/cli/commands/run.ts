import { resolve } from "node:path";
import { DEFAULT_CONFIG_PATH, loadConfigFile } from "../../config/load.js";
import { dataDirProblem } from "../../config/preflight.js";
import type { Config } from "../../config/schema.js";
import { systemClock } from "../../core/clock.js";
import { createLogger, type Logger } from "../../core/logger.js";
import { Daemon } from "../../daemon/daemon.js";
import { exitAfterStop } from "../../daemon/exit-backstop.js";
import { DataDirLockedError } from "../../storage/data-dir-lock.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";

/**
 * Run a daemon in this process until SIGTERM/SIGINT. Open events are persisted (and resumed by the next
 * start); unexpected errors are logged, and an uncaught exception exits 1 so systemd restarts us.
 */
export async function runDaemonUntilSignal(
  config: Config,
  mode: "run" | "demo",
  logger: Logger,
  hooks: { onStarted?: (d: Daemon) => void | Promise<void> } = {},
): Promise<number> {
  const daemon = new Daemon({ config, logger, clock: systemClock, mode });
  process.on("unhandledRejection", (err) =>
    logger.error({ err }, "unhandled promise rejection (daemon keeps running)"),
  );
  process.on("uncaughtException", (err) => {
    logger.fatal({ err }, "uncaught exception: exiting so the service manager restarts camsync");
    process.exit(1);
  });
  // Listen before starting: a SIGTERM during start (systemd stop, a quick Ctrl-C) must stop cleanly too.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  try {
    await daemon.start();
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      logger.fatal({ holder: err.holder, lock: err.lockPath }, `camsync refused to start: ${err.message}`);
      process.stderr.write(`camsync ${mode}: ${err.message}; refusing to start\n`);
    } else logger.fatal({ err }, `camsync could not start: ${(err as Error).message}`);
    await daemon.stop().catch(() => {});
    exitAfterStop(EXIT_FAILURE, logger);
    return EXIT_FAILURE;
  }
  await hooks.onStarted?.(daemon);
  const signal = await signalled;
  logger.info({ signal }, `received ${signal}: stopping`);
  await daemon.stop();
  exitAfterStop(EXIT_OK, logger);
  return EXIT_OK;
}

export function loadOrReport(path: string): Config | null {
  const r = loadConfigFile(path);
  if (r.ok) return r.config;
  process.stderr.write(`camsync: invalid config ${r.path}:\n`);
  for (const p of r.problems) process.stderr.write(`  ${p}\n`);
  return null;
}

export const runCommand: CliCommand = {
  name: "run",
  summary: "run the daemon in the foreground (JSON logs to stdout)",
  usage: `Usage: camsync run [--config FILE] [--data-dir DIR] [--log-level LEVEL]

Runs camsync in the foreground, as systemd starts it (Type=notify: READY=1 once ready,
WATCHDOG=1 while its health checks pass). Logs are JSON lines on stdout.
SIGTERM or SIGINT stop it cleanly; an open event is persisted and resumed on the next start.
One daemon per data dir: it first locks {dataDir}/daemon.lock and exits 1 at once, naming the
holder's pid, when another camsync holds it.

Options:
  -c, --config FILE     config file (default ${DEFAULT_CONFIG_PATH}, or $CAMSYNC_CONFIG)
  -d, --data-dir DIR    override the config's dataDir
      --log-level LEVEL override log.level (trace, debug, info, warn, error, fatal)`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      config: { type: "string", short: "c" },
      "data-dir": { type: "string", short: "d" },
      "log-level": { type: "string" },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(" ")}`);
    const config = loadOrReport(values.config ?? process.env.CAMSYNC_CONFIG ?? DEFAULT_CONFIG_PATH);
    if (!config) return EXIT_FAILURE;
    if (values["data-dir"]) config.dataDir = values["data-dir"];
    const level = (values["log-level"] ?? config.log.level) as Config["log"]["level"];
    if (!["trace", "debug", "info", "warn", "error", "fatal"].includes(level)) {
      throw new UsageError(`unknown log level '${level}'`);
    }
    // An unusable data dir (a file in its place, not writable) is a clear error here, not an errno later.
    const dataDir = dataDirProblem(resolve(config.dataDir));
    if (dataDir) {
      process.stderr.write(`camsync run: ${dataDir}\n`);
      return EXIT_FAILURE;
    }
    return runDaemonUntilSignal(config, "run", createLogger({ level }));
  },
};
