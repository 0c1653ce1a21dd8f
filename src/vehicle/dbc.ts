import type { SignalDefinition, SignalValueType } from "./signal.js";
import { formatMessageId, messageKey } from "./signal.js";

/**
 * A small DBC (Vector CAN database) reader: messages (`BO_`), signals (`SG_`, with multiplexing `M` /
 * `m<n>`), value tables (`VAL_`), float signals (`SIG_VALTYPE_`) and signal comments (`CM_ SG_`).
 * Attributes, nodes and everything else are irrelevant to decoding and skipped.
 */
export interface DbcMessage {
  id: number;
  extended: boolean;
  name: string;
  dlc: number;
  signals: SignalDefinition[];
}

export interface DbcDatabase {
  /** By `messageKey(id, extended)`. */
  messages: ReadonlyMap<number, DbcMessage>;
  /** Every signal, by name; a name defined in several messages maps to all of them. */
  signalsByName: ReadonlyMap<string, SignalDefinition[]>;
  /** Signal comments (`CM_ SG_`), by `messageKey:signalName`. */
  comments: ReadonlyMap<string, string>;
}

export class DbcParseError extends Error {
  override name = "DbcParseError";
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const EXTENDED_FLAG = 0x8000_0000;
const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
const BO_RE = /^BO_\s+(\d+)\s+(\w+)\s*:\s*(\d+)(?:\s+(\w+))?\s*$/;
const SG_RE = new RegExp(
  String.raw`^SG_\s+(\w+)\s*(M|m\d+M?)?\s*:\s*(\d+)\s*\|\s*(\d+)\s*@\s*([01])\s*([+-])\s*` +
    String.raw`\(\s*(${NUMBER})\s*,\s*(${NUMBER})\s*\)\s*\[\s*(${NUMBER})\s*\|\s*(${NUMBER})\s*\]\s*"((?:[^"\\]|\\.)*)"`,
);
const VAL_RE = /^VAL_\s+(\d+)\s+(\w+)\s+(.*?)\s*;?\s*$/;
const VAL_ENTRY_RE = new RegExp(String.raw`(${NUMBER})\s+"((?:[^"\\]|\\.)*)"`, "g");
const VALTYPE_RE = /^SIG_VALTYPE_\s+(\d+)\s+(\w+)\s*:?\s*([0-3])\s*;?\s*$/;
const CM_SG_RE = /^CM_\s+SG_\s+(\d+)\s+(\w+)\s+"((?:[^"\\]|\\.)*)"\s*;?\s*$/s;

/** Split into logical lines: a newline inside a quoted string does not end a line. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let start = 0;
  let line = 1;
  let startLine = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) inString = !inString;
    else if (c === 0x5c /* \ */ && inString) i++;
    else if (c === 0x0a /* \n */) {
      if (!inString) {
        out.push({ text: text.slice(start, i).trim(), line: startLine });
        start = i + 1;
        startLine = line + 1;
      }
      line++;
    }
  }
  out.push({ text: text.slice(start).trim(), line: startLine });
  return out;
}

function decodeId(raw: string): { id: number; extended: boolean } {
  const n = Number(raw);
  return n >= EXTENDED_FLAG
    ? { id: (n - EXTENDED_FLAG) & 0x1fff_ffff, extended: true }
    : { id: n, extended: false };
}

const unquote = (s: string) => s.replace(/\\(.)/g, "$1");

function parseSignal(m: RegExpExecArray, msg: DbcMessage, line: number): SignalDefinition {
  const [, name = "", mux, start = "", len = "", order, sign, scale = "", offset = "", , , unit = ""] = m;
  const def: SignalDefinition = {
    name,
    messageId: msg.id,
    extended: msg.extended,
    messageName: msg.name,
    startBit: Number(start),
    length: Number(len),
    byteOrder: order === "1" ? "intel" : "motorola",
    signed: sign === "-",
    valueType: "integer",
    scale: Number(scale),
    offset: Number(offset),
    unit: unquote(unit),
    valueTable: new Map(),
  };
  if (def.length < 1 || def.length > 64)
    throw new DbcParseError(`signal ${name}: length ${def.length} not in 1..64`, line);
  if (def.startBit > 511)
    throw new DbcParseError(`signal ${name}: start bit ${def.startBit} out of range`, line);
  if (mux === "M") def.multiplexor = true;
  else if (mux) {
    def.multiplexValue = Number.parseInt(mux.slice(1), 10);
    // `m<n>M`: extended multiplexing (a multiplexed multiplexor); decoded as multiplexed by the top-level one.
  }
  return def;
}

export function parseDbc(text: string): DbcDatabase {
  const messages = new Map<number, DbcMessage>();
  const comments = new Map<string, string>();
  const valueTables: { key: number; signal: string; table: Map<number, string> }[] = [];
  const valueTypes: { key: number; signal: string; type: SignalValueType }[] = [];
  const messageLines = new Map<DbcMessage, number>();
  let current: DbcMessage | undefined;

  for (const { text: l, line } of logicalLines(text)) {
    if (l.startsWith("BO_ ")) {
      const m = BO_RE.exec(l);
      if (!m) throw new DbcParseError(`malformed message definition: ${l.slice(0, 80)}`, line);
      const { id, extended } = decodeId(m[1] ?? "");
      const name = m[2] ?? "";
      // Vector's pseudo-message for signals not sent by any node; not on the bus.
      current =
        name === "VECTOR__INDEPENDENT_SIG_MSG"
          ? undefined
          : { id, extended, name, dlc: Number(m[3]), signals: [] };
      if (current) {
        messages.set(messageKey(id, extended), current);
        messageLines.set(current, line);
      }
    } else if (l.startsWith("SG_ ")) {
      const m = SG_RE.exec(l);
      if (!m) throw new DbcParseError(`malformed signal definition: ${l.slice(0, 80)}`, line);
      if (current) current.signals.push(parseSignal(m, current, line));
    } else if (l.startsWith("VAL_ ")) {
      const m = VAL_RE.exec(l);
      if (!m) throw new DbcParseError(`malformed value table: ${l.slice(0, 80)}`, line);
      const { id, extended } = decodeId(m[1] ?? "");
      const table = new Map<number, string>();
      for (const e of (m[3] ?? "").matchAll(VAL_ENTRY_RE)) table.set(Number(e[1]), unquote(e[2] ?? ""));
      valueTables.push({ key: messageKey(id, extended), signal: m[2] ?? "", table });
    } else if (l.startsWith("SIG_VALTYPE_ ")) {
      const m = VALTYPE_RE.exec(l);
      if (!m) throw new DbcParseError(`malformed SIG_VALTYPE_: ${l.slice(0, 80)}`, line);
      const { id, extended } = decodeId(m[1] ?? "");
      const type: SignalValueType = m[3] === "1" ? "float32" : m[3] === "2" ? "float64" : "integer";
      valueTypes.push({ key: messageKey(id, extended), signal: m[2] ?? "", type });
    } else if (l.startsWith("CM_ SG_")) {
      const m = CM_SG_RE.exec(l);
      if (m) {
        const { id, extended } = decodeId(m[1] ?? "");
        comments.set(`${messageKey(id, extended)}:${m[2]}`, unquote(m[3] ?? ""));
      }
    } else if (current && l !== "" && !l.startsWith("SG_")) {
      current = undefined;
    }
  }

  const find = (key: number, signal: string) => messages.get(key)?.signals.find((s) => s.name === signal);
  for (const { key, signal, table } of valueTables) {
    const def = find(key, signal);
    if (def) def.valueTable = table;
  }
  for (const { key, signal, type } of valueTypes) {
    const def = find(key, signal);
    if (def) def.valueType = type;
  }

  const signalsByName = new Map<string, SignalDefinition[]>();
  for (const msg of messages.values()) {
    validateMultiplexing(msg, messageLines.get(msg) ?? 0);
    for (const s of msg.signals) {
      const list = signalsByName.get(s.name);
      if (list) list.push(s);
      else signalsByName.set(s.name, [s]);
    }
  }
  return { messages, signalsByName, comments };
}

function validateMultiplexing(msg: DbcMessage, line: number): void {
  const multiplexed = msg.signals.some((s) => s.multiplexValue !== undefined);
  const multiplexors = msg.signals.filter((s) => s.multiplexor).length;
  if (multiplexed && multiplexors !== 1) {
    throw new DbcParseError(
      `message ${msg.name} (${formatMessageId(msg.id, msg.extended)}) has multiplexed signals but ${multiplexors} multiplexors`,
      line,
    );
  }
}
