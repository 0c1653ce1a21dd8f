/** One `camsync` sub-command. Exit codes: 0 ok, 1 failure/invalid, 2 usage. */
export interface CliCommand {
  name: string;
  /** One line for `camsync --help`. */
  summary: string;
  /** Full help text for `camsync NAME --help`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Thrown for bad arguments; main prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
