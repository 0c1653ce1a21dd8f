import type { CliCommand } from "../command.js";

// Each sub-command lives in its own file; add new ones to this list (keep it sorted as shown in --help).
export const commands: CliCommand[] = [];
