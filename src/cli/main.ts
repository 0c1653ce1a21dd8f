#!/usr/bin/env node
import { type CliCommand, EXIT_USAGE, UsageError } from "./command.js";
import { commands } from "./commands/index.js";
import { VERSION } from "./version.js";

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "camsync — keeps every camera in a patrol car recording together.",
    "",
    "Usage: camsync <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${"station".padEnd(width)}  the evidence station server (camsync station --help)`,
    "",
    "Run `camsync <command> --help` for a command's options.",
    "Exit codes: 0 ok, 1 failure or invalid input, 2 usage error.",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${mainHelp()}\n`);
    return name ? 0 : EXIT_USAGE;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // the station keeps its own command line (src/station/ never imports the CLI)
  if (name === "station") return (await import("../station/station-cli.js")).runStation(rest);
  const cmd: CliCommand | undefined = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`camsync: unknown command '${name}'\n\n${mainHelp()}\n`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${cmd.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`camsync ${cmd.name}: ${err.message}\n\n${cmd.usage.trimEnd()}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`camsync: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
