import { controlRequest } from "../../control/control-client.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";
import { controlSocketPath, LOCATE_HELP, locateDataDir, locateOptions } from "../locate.js";

export const triggerCommand: CliCommand = {
  name: "trigger",
  summary: "start, stop or bookmark a recording on the running daemon",
  usage: `Usage: camsync trigger start|stop|mark [--reason TEXT] [--config FILE | --data-dir DIR]

Sends a manual command over the local control channel ({dataDir}/control.sock).
A stop from here is a manual stop: post-roll follows, then the event ends.

Options:
  -r, --reason TEXT     why (recorded in the event timeline and the audit log)
${LOCATE_HELP}`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      ...locateOptions,
      reason: { type: "string", short: "r" },
    });
    const [kind, ...extra] = positionals;
    if (kind !== "start" && kind !== "stop" && kind !== "mark") {
      throw new UsageError(
        kind ? `unknown trigger '${kind}' (start, stop or mark)` : "missing start|stop|mark",
      );
    }
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
    const socket = controlSocketPath(locateDataDir(values));
    try {
      const res = await controlRequest(socket, {
        op: "trigger",
        kind,
        via: "cli",
        ...(values.reason ? { reason: values.reason } : {}),
      });
      if (!res.ok) {
        process.stderr.write(`camsync trigger: ${res.error}\n`);
        return EXIT_FAILURE;
      }
      const r = res.result as {
        state?: string;
        eventId?: string | null;
        decisions?: { type: string; reason: string }[];
      };
      for (const d of r.decisions ?? []) process.stdout.write(`${d.type}: ${d.reason}\n`);
      process.stdout.write(`state: ${r.state ?? "?"}${r.eventId ? ` (event ${r.eventId})` : ""}\n`);
      const refused = (r.decisions ?? []).some((d) => d.type === "stop-refused");
      return refused ? EXIT_FAILURE : EXIT_OK;
    } catch (err) {
      process.stderr.write(`camsync trigger: ${(err as Error).message}\n`);
      return EXIT_FAILURE;
    }
  },
};
