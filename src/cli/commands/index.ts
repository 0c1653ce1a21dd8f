import type { CliCommand } from "../command.js";
import { bodycamCommand } from "./bodycam.js";
import { canCommand } from "./can.js";
import { configCommand } from "./config.js";
import { demoCommand } from "./demo.js";
import { eventCommand } from "./event.js";
import { officerCommand } from "./officer.js";
import { reportCommand } from "./report.js";
import { runCommand } from "./run.js";
import { statusCommand } from "./status.js";
import { triggerCommand } from "./trigger.js";
import { verifyCommand } from "./verify.js";

// Each sub-command lives in its own file; add new ones to this list (in the order --help shows them).
export const commands: CliCommand[] = [
  runCommand,
  demoCommand,
  configCommand,
  statusCommand,
  triggerCommand,
  verifyCommand,
  eventCommand,
  officerCommand,
  reportCommand,
  canCommand,
  bodycamCommand,
];
