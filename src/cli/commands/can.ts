import { createReadStream, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { kindOf } from "../../storage/input-file.js";
import { parseCandumpLine } from "../../vehicle/candump-line.js";
import { formatMessageId, type SignalDefinition, valueLabel } from "../../vehicle/signal.js";
import { FrameDecoder } from "../../vehicle/signal-decoder.js";
import { SignalConfigError } from "../../vehicle/signal-selection.js";
import { loadDbc, VehicleBusConfigError } from "../../vehicle/vehicle-bus.js";
import { parseCommandArgs } from "../args.js";
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from "../command.js";
import { chooseSignals, splitList } from "./can-signals.js";

const USAGE = `Usage: camsync can decode --dbc FILE [--signals A,B] LOG
       camsync can watch [--config FILE] [--dbc FILE] [--signals A,B] [--interval MS] [--seconds N] [--json]

Installer tools for the vehicle bus.

decode   Decode a \`candump -L\` log (LOG, or - for stdin: \`candump -L can0 | camsync can decode --dbc car.dbc -\`)
         with a DBC file. Prints one JSON line per change of a decoded value, e.g.
           {"t":1487342025.622147,"id":"0x415","signal":"Veh_V_ActlBrk","value":27.8}
         t is the frame's timestamp; "label" is added where the DBC names the value ("Run").
         Without --signals every signal in the DBC is decoded. Malformed log lines are reported on stderr
         (exit 1); CAN FD and error frames are skipped.
watch    Live values from the CAN source in the config (vehicleBus.source), decoded with its DBC and
         signals (or --dbc / --signals), one line per change (at most one per --interval ms per signal),
         plus rule transitions and health. Stops on Ctrl-C or after --seconds.

Options:
      --dbc FILE        DBC file (decode: required; watch: overrides vehicleBus.dbc)
      --signals A,B     only these signals (names, or Message.Signal where a name is ambiguous)
  -c, --config FILE     watch: the config file (default /etc/camsync/camsync.yaml, or $CAMSYNC_CONFIG)
      --interval MS     watch: at most one line per signal per MS (default 250)
      --seconds N       watch: stop after N seconds
      --json            watch: JSON lines instead of text`;

/**
 * A candump log must be a regular file or a FIFO (a live `candump -L` piped in, like `-`): a directory
 * or a device (/dev/zero: endless) is refused.
 */
function logFileProblem(path: string): string | null {
  try {
    const st = statSync(path);
    return st.isFile() || st.isFIFO() ? null : `LOG ${path}: ${kindOf(st)}, not a candump -L log file`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return `cannot read ${path}: ${code === "ENOENT" ? "no such file" : (err as Error).message}`;
  }
}

/** One output line per change of a decoded value, as the installer reads them. */
export class ChangePrinter {
  private readonly last: (number | undefined)[];
  private readonly ids: string[];
  constructor(private readonly signals: readonly SignalDefinition[]) {
    this.last = new Array(signals.length).fill(undefined);
    this.ids = signals.map((s) => formatMessageId(s.messageId, s.extended));
  }
  line(index: number, value: number, t: number): string | undefined {
    if (this.last[index] === value) return undefined;
    this.last[index] = value;
    const def = this.signals[index];
    if (!def) return undefined;
    const label = valueLabel(def, value);
    const out = {
      t,
      id: this.ids[index],
      signal: def.name,
      value,
      ...(label !== undefined ? { label } : {}),
    };
    return `${JSON.stringify(out)}\n`;
  }
}

async function decode(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    dbc: { type: "string" },
    signals: { type: "string" },
  });
  if (!values.dbc) throw new UsageError("--dbc FILE is required");
  if (positionals.length !== 1) throw new UsageError("give exactly one LOG file (or - for stdin)");
  const names = splitList(values.signals);
  const logPath = positionals[0] ?? "-";
  let signals: SignalDefinition[];
  try {
    signals = chooseSignals(loadDbc(values.dbc), names);
  } catch (err) {
    if (err instanceof VehicleBusConfigError || err instanceof SignalConfigError) {
      process.stderr.write(`camsync can decode: ${err.message.replace(/^vehicleBus\.dbc: /, "")}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }
  const decoder = new FrameDecoder(signals);
  const printer = new ChangePrinter(signals);

  if (logPath !== "-") {
    const problem = logFileProblem(logPath);
    if (problem) {
      process.stderr.write(`camsync can decode: ${problem}\n`);
      return EXIT_FAILURE;
    }
  }
  const input = logPath === "-" ? process.stdin : createReadStream(logPath);
  const opened = new Promise<void>((resolve, reject) => {
    input.once("error", reject);
    if (logPath === "-") resolve();
    else input.once("open", () => resolve());
  });
  try {
    await opened;
  } catch (err) {
    process.stderr.write(`camsync can decode: cannot read ${logPath}: ${(err as Error).message}\n`);
    return EXIT_FAILURE;
  }
  let stdoutClosed = false;
  process.stdout.on("error", () => {
    stdoutClosed = true; // e.g. `| head`: stop quietly
  });

  let lineNo = 0;
  let invalid = 0;
  let out = "";
  let frameT = 0;
  const emit = (i: number, v: number) => {
    const l = printer.line(i, v, frameT);
    if (l) out += l;
  };
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNo++;
    const r = parseCandumpLine(text);
    if (r.kind === "frame") {
      frameT = r.frame.timestamp;
      decoder.decode(r.frame, emit);
    } else if (r.kind === "invalid") {
      invalid++;
      if (invalid <= 5) process.stderr.write(`${logPath}:${lineNo}: ${r.reason}: ${text.slice(0, 80)}\n`);
    }
    if (out.length > 65_536) {
      if (stdoutClosed) break;
      if (!process.stdout.write(out)) await new Promise((r) => process.stdout.once("drain", r));
      out = "";
    }
  }
  if (out && !stdoutClosed) process.stdout.write(out);
  if (invalid > 0) {
    process.stderr.write(`camsync can decode: ${invalid} malformed line(s) in ${logPath} skipped\n`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}

export const canCommand: CliCommand = {
  name: "can",
  summary: "installer tools: decode a candump log with a DBC, watch live signals",
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "decode") return decode(rest);
    if (sub === "watch") {
      // Loaded on demand: it pulls in the serial/SocketCAN sources, which `decode` never needs.
      const { watchCan } = await import("./can-watch.js");
      return watchCan(rest);
    }
    throw new UsageError(sub ? `unknown sub-command '${sub}'` : "expected decode or watch");
  },
};
