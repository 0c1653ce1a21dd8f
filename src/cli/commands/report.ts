import { buildReport, formatReport } from "../../evidence/accountability-report.js";
import { requireDirectory } from "../../storage/input-file.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_OK, UsageError } from "../command.js";
import { LOCATE_HELP, locateDataDir, locateOptions } from "../locate.js";

function parseDate(value: string, option: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(t)) throw new UsageError(`${option}: '${value}' is not a date (YYYY-MM-DD or ISO-8601)`);
  return t;
}

export const reportCommand: CliCommand = {
  name: "report",
  summary: "accountability report: activations, body-cam confirmations, gaps, uploads",
  usage: `Usage: camsync report --since DATE [--until DATE] [--json] [--config FILE | --data-dir DIR]

Lists every activation since DATE (UTC; YYYY-MM-DD or ISO-8601): when and why it started,
the officer, which body cams confirmed (with latency) and which did not, gaps in the video,
and the upload state — what auditors compare against dispatch records. Built from the
manifests and the audit log (events deleted after a verified upload are still listed).

Options:
      --since DATE     first day/time to include (required)
      --until DATE     exclude activations from this time on
      --json           machine-readable output
${LOCATE_HELP}`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      ...locateOptions,
      since: { type: "string" },
      until: { type: "string" },
      json: { type: "boolean" },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(" ")}`);
    if (!values.since) throw new UsageError("--since DATE is required");
    const since = parseDate(values.since, "--since");
    const until = values.until ? parseDate(values.until, "--until") : null;
    const dataDir = locateDataDir(values);
    // A mistyped path must not read as "no activations": the report needs the data dir itself.
    requireDirectory(dataDir, "data dir");
    const report = buildReport(dataDir, since, until);
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return EXIT_OK;
  },
};
