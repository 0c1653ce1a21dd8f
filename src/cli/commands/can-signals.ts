import type { DbcDatabase } from "../../vehicle/dbc.js";
import type { SignalDefinition } from "../../vehicle/signal.js";
import { selectSignals } from "../../vehicle/signal-selection.js";
import { UsageError } from "../command.js";

/** All of a DBC's signals, or the ones named; `Message.Signal` names stay as written. */
export function chooseSignals(dbc: DbcDatabase, names: string[] | undefined): SignalDefinition[] {
  if (names) return selectSignals(dbc, names).signals;
  return [...dbc.messages.values()].flatMap((m) => m.signals);
}

/** `--signals a,b,c` as a list (undefined when not given). */
export function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (list.length === 0) throw new UsageError("--signals needs at least one name");
  return list;
}
