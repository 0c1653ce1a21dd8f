import { loadConfigFile } from "../../config/load.js";
import { preflight } from "../../config/preflight.js";
import { configJsonSchema } from "../../config/schema.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";

export const configCommand: CliCommand = {
  name: "config",
  summary: "check a config file, or print the config JSON Schema",
  usage: `Usage:
  camsync config check [--no-files] FILE
                              validate FILE and what \`run\` would fail on here (the files it
                              names, an unusable dataDir; absent devices are warnings); print
                              every problem by path; exit 1 if any. --no-files: the file alone
                              (a config for another machine). Relative paths in FILE are
                              relative to FILE's directory.
  camsync config schema       print the configuration's JSON Schema (config/camsync.schema.json)`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { "no-files": { type: "boolean" } });
    const [sub, file, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
    if (sub === "schema") {
      if (file) throw new UsageError("`config schema` takes no file");
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      return EXIT_OK;
    }
    if (sub !== "check") throw new UsageError(sub ? `unknown sub-command '${sub}'` : "missing sub-command");
    if (!file) throw new UsageError("`config check` needs a FILE");
    const r = loadConfigFile(file);
    // Valid, then what `run` would fail on: the files it names and the data dir.
    const { problems, warnings } = !r.ok
      ? { problems: r.problems, warnings: [] }
      : values["no-files"]
        ? { problems: [], warnings: [] }
        : preflight(r.config);
    for (const w of warnings) process.stdout.write(`${r.path}: warning: ${w}\n`);
    if (problems.length === 0) {
      process.stdout.write(`${r.path}: ok\n`);
      return EXIT_OK;
    }
    process.stderr.write(`${r.path}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n`);
    for (const p of problems) process.stderr.write(`  ${p}\n`);
    return EXIT_FAILURE;
  },
};
