import { resolve } from "node:path";
import { DEFAULT_CONFIG_PATH, loadConfigFile } from "../../config/load.js";
import { silentLogger } from "../../core/logger.js";
import { VERSION } from "../../core/version.js";
import { DEFAULT_REASON, promoteRing, promotionSummary } from "../../recorder/after-the-fact.js";
import { requireDirectory } from "../../storage/input-file.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";
import { viaDaemonOrDirect } from "../via-daemon-or-direct.js";
import { EVENT_TAG_USAGE, runEventTag } from "./event-tag.js";

/** One `camsync event …` sub-command. Add new ones to `subcommands` below. */
interface EventSubcommand {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** `now`, `now-15m` / `now-90s` / `now-2h`, or an ISO-8601 time with a zone (`2026-11-26T14:05:00Z`). */
export function parseTimeArg(text: string, now: number, what: string): number {
  if (text === "now") return now;
  const rel = /^now-(\d+(?:\.\d+)?)([smh])$/.exec(text);
  if (rel?.[1] && rel[2])
    return now - Number(rel[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[rel[2] as "s" | "m" | "h"];
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    throw new UsageError(
      `${what}: expected now, now-15m (s, m, h) or an ISO-8601 time with a zone, got '${text}'`,
    );
  }
  return Date.parse(text);
}

/** Assembling a long range takes a while (a 60-minute event ≈ 10 s); the daemon answers when it is done. */
const CREATE_TIMEOUT_MS = 10 * 60_000;

const createUsage = `Usage: camsync event create --from T --to T [--camera NAME]... [--reason TEXT]
                           [--config FILE] [--data-dir DIR]

Record-after-the-fact: promotes continuous ring footage (kept for ring.keepHours) to an event in
{dataDir}/events/{eventId}/ — one MP4 per camera, every segment and file SHA-256 hashed, manifest.json,
its finalization in the audit log. With a daemon running the request goes through its control socket
(its audit log records the event); otherwise it is done directly under the audit log's lock file.
A range reaching outside the ring's footage is refused, naming the range the ring holds. The event id
dates the first footage claimed. Audio follows recorder.preEventAudio (muted by default).

Times: now, now-15m / now-90s / now-2h, or ISO-8601 with a zone (2026-11-26T14:05:00Z).

Options:
      --from T          start of the footage
      --to T            end of the footage
      --camera NAME     only this camera (repeatable; default: every configured camera)
  -r, --reason TEXT     why the footage is kept (recorded in the event timeline)
  -c, --config FILE     config file (default ${DEFAULT_CONFIG_PATH}, or $CAMSYNC_CONFIG)
  -d, --data-dir DIR    data directory (default: the config's dataDir)`;

const create: EventSubcommand = {
  name: "create",
  summary: "promote ring footage between two times to an event",
  usage: createUsage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      from: { type: "string" },
      to: { type: "string" },
      camera: { type: "string", multiple: true },
      reason: { type: "string", short: "r" },
      config: { type: "string", short: "c" },
      "data-dir": { type: "string", short: "d" },
    });
    if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(" ")}`);
    if (!values.from || !values.to) throw new UsageError("--from and --to are required");
    const now = Date.now();
    const from = parseTimeArg(values.from, now, "--from");
    const to = parseTimeArg(values.to, now, "--to");
    if (to <= from) throw new UsageError("--to must be after --from");
    const configPath = values.config ?? process.env.CAMSYNC_CONFIG ?? DEFAULT_CONFIG_PATH;
    const loaded = loadConfigFile(configPath);
    if (!loaded.ok) {
      process.stderr.write(
        `camsync event create: invalid config ${loaded.path}:\n  ${loaded.problems.join("\n  ")}\n`,
      );
      return EXIT_FAILURE;
    }
    const { config } = loaded;
    if (values["data-dir"]) requireDirectory(resolve(values["data-dir"]), "--data-dir");
    const dataDir = resolve(values["data-dir"] ?? config.dataDir);
    const reason = values.reason ?? DEFAULT_REASON;
    const request = { op: "event-create", from, to, cameras: values.camera, reason } as const;
    try {
      const { via, result } = await viaDaemonOrDirect(
        dataDir,
        request,
        async (audit) => {
          const r = await promoteRing({
            config: config.recorder,
            dataDir,
            vehicle: config.vehicle,
            from,
            to,
            cameras: values.camera,
            reason,
            now,
            version: VERSION,
            log: silentLogger(),
          });
          audit.recordFinalized(r.eventId, r.dir, r.manifestSha256);
          return promotionSummary(r);
        },
        CREATE_TIMEOUT_MS,
      );
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.stderr.write(
        `event created (${via === "daemon" ? "via the running daemon" : "written directly"}; recorded in the audit log)\n`,
      );
      return EXIT_OK;
    } catch (err) {
      process.stderr.write(`camsync event create: ${(err as Error).message}\n`);
      return EXIT_FAILURE;
    }
  },
};

const tag: EventSubcommand = {
  name: "tag",
  summary: "add a category, a note or the critical flag to a recorded event",
  usage: EVENT_TAG_USAGE,
  run: runEventTag,
};

const subcommands: EventSubcommand[] = [create, tag];

export const eventCommand: CliCommand = {
  name: "event",
  summary: "work with recorded events (create from ring footage after the fact, tag)",
  usage: [
    "Usage: camsync event <sub-command> [options]",
    "",
    "Sub-commands:",
    ...subcommands.map((s) => `  ${s.name.padEnd(8)} ${s.summary}`),
    ...subcommands.flatMap((s) => ["", s.usage]),
  ].join("\n"),
  async run(argv) {
    const [name, ...rest] = argv;
    const sub = subcommands.find((s) => s.name === name);
    if (!sub) {
      throw new UsageError(
        name
          ? `unknown sub-command '${name}' (${subcommands.map((s) => s.name).join(", ")})`
          : "missing sub-command",
      );
    }
    return sub.run(rest);
  },
};
