import { controlRequest } from "../../control/control-client.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";
import { controlSocketPath, LOCATE_HELP, locateDataDir, locateOptions } from "../locate.js";

function line(label: string, value: unknown): string {
  return `${label.padEnd(12)} ${value === undefined || value === null ? "-" : String(value)}\n`;
}

interface Summary {
  count: number;
  p50: number | null;
  p99: number | null;
}

/** "trigger → publish p50 0.4 ms, p99 1.2 ms (n 12); publish → confirmed p50 31 ms, p99 80 ms (n 24)" */
function latencyLine(components: unknown): string | null {
  const sync = (components as Record<string, { latency?: Record<string, Summary> }> | undefined)?.[
    "bodycam-sync"
  ];
  const l = sync?.latency;
  if (!l) return null;
  const part = (label: string, x: Summary | undefined) =>
    x && x.count > 0 ? `${label} p50 ${x.p50} ms, p99 ${x.p99} ms (n ${x.count})` : `${label} -`;
  return `${part("trigger → publish", l.triggerToPublishMs)}; ${part("publish → confirmed", l.publishToConfirmationMs)}`;
}

/** Human-readable status: the few things an installer checks first. */
export function formatStatus(s: Record<string, unknown>): string {
  let out = "";
  out += line("vehicle", s.vehicle);
  out += line(
    "state",
    s.eventRecorded === false ? `${String(s.state)} (NOT RECORDED: the recorder has no open event)` : s.state,
  );
  out += line("event", s.eventId);
  out += line("recorder", s.recorder);
  out += line("can bus", s.canBus);
  const health = (s.health ?? {}) as Record<string, { state: string; detail?: string }>;
  for (const [name, h] of Object.entries(health))
    out += line(`  ${name}`, `${h.state}${h.detail ? ` (${h.detail})` : ""}`);
  const bodycams = s.bodycams as { id: string; online?: boolean; recording?: boolean }[] | undefined;
  if (Array.isArray(bodycams)) {
    for (const b of bodycams)
      out += line(`  cam ${b.id}`, `${b.online ? "online" : "offline"}${b.recording ? ", recording" : ""}`);
  }
  const latency = latencyLine(s.components);
  if (latency) out += line("latency", latency);
  const alerts = (s.alerts ?? []) as { code: string; message: string; at: number }[];
  for (const a of alerts.slice(-5)) out += line("alert", `${a.code}: ${a.message}`);
  out += line("version", s.version);
  return out;
}

export const statusCommand: CliCommand = {
  name: "status",
  summary: "show the running daemon's state",
  usage: `Usage: camsync status [--json] [--config FILE | --data-dir DIR]

Options:
      --json            print the full status as JSON
${LOCATE_HELP}`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { ...locateOptions, json: { type: "boolean" } });
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(" ")}`);
    const socket = controlSocketPath(locateDataDir(values));
    try {
      const res = await controlRequest(socket, { op: "status" });
      if (!res.ok) {
        process.stderr.write(`camsync status: ${res.error}\n`);
        return EXIT_FAILURE;
      }
      const s = res.result as Record<string, unknown>;
      process.stdout.write(values.json ? `${JSON.stringify(s, null, 2)}\n` : formatStatus(s));
      return EXIT_OK;
    } catch (err) {
      process.stderr.write(`camsync status: ${(err as Error).message}\n`);
      return EXIT_FAILURE;
    }
  },
};
