import type { DbcDatabase } from "./dbc.js";
import { formatMessageId, messageKey, type SignalDefinition } from "./signal.js";
import type { InlineSignalConfig, RuleConfig } from "./signal-config.js";

/** Signals whose values come from elsewhere on the bus (the GPS component), not from CAN frames. */
export const EXTERNAL_SIGNAL_PREFIX = "gps.";

export class SignalConfigError extends Error {
  override name = "SignalConfigError";
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

export function inlineSignal(cfg: InlineSignalConfig): SignalDefinition {
  return {
    name: cfg.name,
    messageId: cfg.id,
    extended: cfg.extended,
    startBit: cfg.start,
    length: cfg.length,
    byteOrder: cfg.order,
    signed: cfg.signed,
    valueType: "integer",
    scale: cfg.scale,
    offset: cfg.offset,
    unit: cfg.unit,
    valueTable: new Map(Object.entries(cfg.valueTable).map(([k, v]) => [Number(k), v])),
  };
}

function describeCandidates(list: SignalDefinition[]): string {
  return list
    .map((s) => `${s.messageName ?? "?"}.${s.name} (${formatMessageId(s.messageId, s.extended)})`)
    .join(", ");
}

/** Find `Signal` or `Message.Signal` in the DBC. */
function lookup(dbc: DbcDatabase, ref: string): SignalDefinition | string {
  const dot = ref.indexOf(".");
  if (dot >= 0) {
    const msgName = ref.slice(0, dot);
    const sigName = ref.slice(dot + 1);
    const found = (dbc.signalsByName.get(sigName) ?? []).find((s) => s.messageName === msgName);
    return found ?? `signal ${ref} is not in the DBC file`;
  }
  const list = dbc.signalsByName.get(ref) ?? [];
  if (list.length === 1 && list[0]) return list[0];
  if (list.length === 0) return `signal ${ref} is not in the DBC file`;
  return `signal ${ref} is defined in several messages (${describeCandidates(list)}): write Message.${ref}`;
}

export interface SignalSelection {
  /** The signals to decode; multiplexors of multiplexed signals are added. Names are as referenced. */
  signals: SignalDefinition[];
}

/**
 * The signals the config asks for (listed, and used by rules), resolved against the DBC file and the
 * inline definitions. Every unknown or ambiguous name is reported at once.
 */
export function selectSignals(
  dbc: DbcDatabase | undefined,
  listed: readonly (string | InlineSignalConfig)[],
  rules: readonly RuleConfig[] = [],
): SignalSelection {
  const problems: string[] = [];
  const chosen = new Map<string, SignalDefinition>();
  const inline = new Map<string, SignalDefinition>();
  for (const entry of listed) {
    if (typeof entry === "string") continue;
    if (inline.has(entry.name)) problems.push(`inline signal ${entry.name} is defined twice`);
    inline.set(entry.name, inlineSignal(entry));
  }
  const refs = [
    ...listed.map((e) => (typeof e === "string" ? e : e.name)),
    ...rules.map((r) => r.signal).filter((s) => !s.startsWith(EXTERNAL_SIGNAL_PREFIX)),
  ];
  for (const ref of refs) {
    if (chosen.has(ref)) continue;
    const own = inline.get(ref);
    if (own) {
      chosen.set(ref, own);
      continue;
    }
    if (!dbc) {
      problems.push(`signal ${ref} has no definition: give a dbc file or an inline definition`);
      continue;
    }
    const found = lookup(dbc, ref);
    if (typeof found === "string") problems.push(found);
    else chosen.set(ref, { ...found, name: ref });
  }
  if (problems.length > 0) throw new SignalConfigError(problems);

  const signals = [...chosen.values()];
  for (const s of [...signals]) {
    if (s.multiplexValue === undefined || !dbc || s.messageName === undefined) continue;
    const mux = dbc.messages.get(messageKey(s.messageId, s.extended))?.signals.find((m) => m.multiplexor);
    if (
      mux &&
      !signals.some((x) => x.messageId === mux.messageId && x.extended === mux.extended && x.multiplexor)
    ) {
      signals.push(mux);
    }
  }
  return { signals };
}
