import type { CliCommand } from "../command.js";

/** A sub-command as `camsync --help` lists it; its code is loaded only when it runs. */
export interface CommandEntry {
  name: string;
  /** One line for `camsync --help` (a test checks it is the command's own). */
  summary: string;
  load(): Promise<CliCommand>;
}

// Each sub-command lives in its own file, imported only when it is the one that runs: `camsync run` then
// carries no demo, installer or report code (the daemon's resident size is a target, PRODUCT.md).
// Add new ones to this list, in the order --help shows them.
export const commands: CommandEntry[] = [
  {
    name: "run",
    summary: "run the daemon in the foreground (JSON logs to stdout)",
    load: async () => (await import("./run.js")).runCommand,
  },
  {
    name: "demo",
    summary: "the whole system on this machine (simulated inputs, test-pattern camera, broker, body cams)",
    load: async () => (await import("./demo.js")).demoCommand,
  },
  {
    name: "config",
    summary: "check a config file, or print the config JSON Schema",
    load: async () => (await import("./config.js")).configCommand,
  },
  {
    name: "status",
    summary: "show the running daemon's state",
    load: async () => (await import("./status.js")).statusCommand,
  },
  {
    name: "trigger",
    summary: "start, stop or bookmark a recording on the running daemon",
    load: async () => (await import("./trigger.js")).triggerCommand,
  },
  {
    name: "verify",
    summary: "check event files, manifests and the audit log for any change",
    load: async () => (await import("./verify.js")).verifyCommand,
  },
  {
    name: "event",
    summary: "work with recorded events (create from ring footage after the fact, tag)",
    load: async () => (await import("./event.js")).eventCommand,
  },
  {
    name: "officer",
    summary: "set the officer on shift (recorded in manifests and the audit log)",
    load: async () => (await import("./officer.js")).officerCommand,
  },
  {
    name: "report",
    summary: "accountability report: activations, body-cam confirmations, gaps, uploads",
    load: async () => (await import("./report.js")).reportCommand,
  },
  {
    name: "can",
    summary: "installer tools: decode a candump log with a DBC, watch live signals",
    load: async () => (await import("./can.js")).canCommand,
  },
  {
    name: "bodycam",
    summary: "run the reference body cam (simulated device, MQTT protocol v1)",
    load: async () => (await import("./bodycam.js")).bodycamCommand,
  },
];
