import { parseArgs } from "node:util";
import { systemClock } from "../core/clock.js";
import { createLogger, type Logger } from "../core/logger.js";
import { AuthError, AuthService } from "./auth-service.js";
import {
  DEFAULT_STATION_CONFIG_PATH,
  loadStationConfig,
  StationConfigError,
  type StationFile,
} from "./config.js";
import { checkCustodyAgainstIndex } from "./custody/custody-station.js";
import { StationAuditLog } from "./custody/station-audit.js";
import { Ingest } from "./ingest.js";
import { openStationDb, openStore, Station } from "./station.js";
import { registerWebPages } from "./web/web-routes.js";

/**
 * `camsync station …`: the station's command line (the CLI's main only dispatches here; the
 * station does not import src/cli). Exit codes: 0 ok, 1 failure, 2 usage.
 */
export const STATION_SUMMARY =
  "the station server: ingest, index, incidents, search API (camsync station --help)";

export const STATION_USAGE = `Usage:
  camsync station [--config FILE]
  camsync station user add NAME --role viewer|supervisor|admin [--replace] [--config FILE]
  camsync station user unlock NAME [--config FILE]
  camsync station ingest --once [--config FILE]
  camsync station check [--config FILE]

Runs the evidence station (docs/station.md): lists the evidence bucket, re-hashes every object
against its manifest, indexes what verifies (quarantines what does not), joins body-cam clips to
car events, and serves the JSON API / web UI on station.http. Logs are JSON lines on stdout.

  user add     create an account (the first admin); the password is read from stdin
               (first line; at least 10 characters). --replace resets an existing one.
  user unlock  release an account locked by 5 failed sign-ins in a row (it also opens by
               itself after 10 minutes); audited as account-unlocked by "station-cli"
  ingest --once  one listing pass and every job it finds, then exit (prints a JSON summary)
  check        validate the config and check it against the index: a custody config that would
               shorten the retention of an item under legal hold is refused (exit 1, each named)

Options:
  -c, --config FILE   station configuration (default ${DEFAULT_STATION_CONFIG_PATH})
  -h, --help          this help
`;

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

class StationUsageError extends Error {}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Password (input is not hidden; pipe it in to avoid that): ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(0x0a) && process.stdin.isTTY) break;
  }
  return (Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "").trim();
}

async function userAdd(args: string[], configPath: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { role: { type: "string" }, replace: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw new StationUsageError("user add: give exactly one NAME");
  if (!values.role) throw new StationUsageError("user add: --role is required");
  const file = loadStationConfig(configPath);
  const password = await readPassword();
  const db = await openStationDb(file);
  try {
    const auth = new AuthService(db, file.station.http.sessionHours * 3600_000);
    const r = await auth.addUser(name, password, values.role, values.replace === true);
    process.stdout.write(`${JSON.stringify({ user: name, role: values.role, result: r })}\n`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof AuthError) {
      process.stderr.write(`camsync station user add: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  } finally {
    await db.close();
  }
}

async function userUnlock(name: string, configPath: string): Promise<number> {
  const file = loadStationConfig(configPath);
  const db = await openStationDb(file);
  try {
    const auth = new AuthService(db, file.station.http.sessionHours * 3600_000);
    if (!(await auth.unlock(name))) {
      process.stderr.write(`camsync station user unlock: no user ${name}\n`);
      return EXIT_FAILURE;
    }
    await new StationAuditLog(db, systemClock, file.station.dataDir).append("account-unlocked", {
      user: "station-cli",
      subject: { kind: "account", id: name },
    });
    process.stdout.write(`${JSON.stringify({ user: name, locked: false })}\n`);
    return EXIT_OK;
  } finally {
    await db.close();
  }
}

async function ingestOnce(configPath: string): Promise<number> {
  const file = loadStationConfig(configPath);
  const log = stationLogger(file.log.level);
  const db = await openStationDb(file);
  const { store, bucket, prefix } = await openStore(file);
  try {
    const ingest = new Ingest({
      db,
      store,
      bucket,
      prefix,
      log,
      leaseSeconds: file.station.ingest.leaseSeconds,
      maxManifestBytes: file.station.ingest.maxManifestBytes,
      concurrency: file.station.ingest.concurrency,
    });
    const scan = await ingest.scan();
    const outcomes = await ingest.drain();
    const count = (o: string) => outcomes.filter((x) => x === o).length;
    log.info(
      { ...scan, indexed: count("indexed"), quarantined: count("quarantined"), failed: count("failed") },
      "ingest: done",
    );
    return count("failed") > 0 ? EXIT_FAILURE : EXIT_OK;
  } finally {
    store.close();
    await db.close();
  }
}

async function serve(configPath: string): Promise<number> {
  const file = loadStationConfig(configPath);
  const log = stationLogger(file.log.level);
  const station = await Station.start(file, log, {
    routes: (router, _services, key) => registerWebPages(router, key),
  });
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  log.info("station: stopping");
  await station.stop();
  return EXIT_OK;
}

export async function runStation(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        config: { type: "string", short: "c" },
        help: { type: "boolean", short: "h" },
        once: { type: "boolean" },
        role: { type: "string" },
        replace: { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(STATION_USAGE);
      return EXIT_OK;
    }
    const config = values.config ?? DEFAULT_STATION_CONFIG_PATH;
    const [sub, ...rest] = positionals;
    if (sub === undefined) return await serve(config);
    if (sub === "user" && rest[0] === "add") {
      const passThrough = [
        ...rest.slice(1),
        ...(values.role ? ["--role", values.role] : []),
        ...(values.replace ? ["--replace"] : []),
      ];
      return await userAdd(passThrough, config);
    }
    if (sub === "user" && rest[0] === "unlock") {
      if (rest.length !== 2) throw new StationUsageError("user unlock: give exactly one NAME");
      return await userUnlock(rest[1] as string, config);
    }
    if (sub === "check" && rest.length === 0) {
      const file = loadStationConfig(config);
      const db = await openStationDb(file);
      try {
        const problems = await checkCustodyAgainstIndex(db, file.station.custody);
        for (const p of problems) process.stderr.write(`  ${p}\n`);
        process.stdout.write(problems.length === 0 ? `${config}: ok\n` : "");
        if (problems.length > 0)
          process.stderr.write(
            `${config}: refused: the custody config would shorten the retention of held items\n`,
          );
        return problems.length === 0 ? EXIT_OK : EXIT_FAILURE;
      } finally {
        await db.close();
      }
    }
    if (sub === "ingest") {
      if (!values.once || rest.length > 0)
        throw new StationUsageError("ingest: only `ingest --once` is supported");
      return await ingestOnce(config);
    }
    throw new StationUsageError(`unknown sub-command '${positionals.join(" ")}'`);
  } catch (err) {
    if (err instanceof StationUsageError || (err instanceof TypeError && "code" in err)) {
      process.stderr.write(`camsync station: ${err.message}\n\n${STATION_USAGE}`);
      return EXIT_USAGE;
    }
    if (err instanceof StationConfigError || (err instanceof Error && err.name === "DatabaseInUseError")) {
      process.stderr.write(`camsync station: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }
}

/** The station's JSON log lines (stdout, synchronous): service "camsync-station", URLs redacted whole. */
function stationLogger(level: StationFile["log"]["level"]): Logger {
  return createLogger({ level, service: "camsync-station", redact: ["url", "*.url"] });
}
