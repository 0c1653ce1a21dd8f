import { loadConfigFile } from "../../config/load.js";
import { configJsonSchema } from "../../config/schema.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";

export const configCommand: CliCommand = {
  name: "config",
  summary: "check a config file, or print the config JSON Schema",
  usage: `Usage:
  camsync config check FILE   validate FILE; print every problem by path; exit 1 if any
  camsync config schema       print the configuration's JSON Schema (config/camsync.schema.json)`,
  async run(argv) {
    const { positionals } = parseCommandArgs(argv, {});
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
    if (r.ok) {
      process.stdout.write(`${r.path}: ok\n`);
      return EXIT_OK;
    }
    process.stderr.write(`${r.path}: ${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}\n`);
    for (const p of r.problems) process.stderr.write(`  ${p}\n`);
    return EXIT_FAILURE;
  },
};
