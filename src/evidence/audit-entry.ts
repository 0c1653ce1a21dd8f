import { sha256Hex } from "../storage/sha256.js";

/**
 * One line of `{dataDir}/audit.jsonl`: `{seq, at, type, ...data, prev}` where `prev` is the SHA-256
 * (hex) of the previous line's exact bytes (without its newline). The first entry's prev is 64 zeros.
 * Pure: formatting, hashing and parsing only; the file is written by `audit-log.ts`.
 */
export const GENESIS_PREV = "0".repeat(64);

/** Entry types that record an event's manifest hash (what `verify` checks a manifest against). */
export const FINALIZED_TYPE = "event-finalized";
export const AMENDMENT_TYPE = "manifest-amended";
export const isManifestRecord = (type: string) => type === FINALIZED_TYPE || type === AMENDMENT_TYPE;

/** Entry type written after a torn (truncated or unparsable) line found when the log was opened. */
export const TORN_LINE_TYPE = "audit-torn-line";

export interface AuditEntry {
  seq: number;
  /** UTC ISO-8601 with ms. */
  at: string;
  type: string;
  prev: string;
  [key: string]: unknown;
}

const RESERVED = new Set(["seq", "at", "type", "prev"]);

/** The exact text of one entry (no newline). Data keys may not shadow the envelope. */
export function formatEntry(
  seq: number,
  at: string,
  type: string,
  data: Record<string, unknown>,
  prev: string,
): string {
  for (const key of Object.keys(data)) {
    if (RESERVED.has(key)) throw new Error(`audit data may not contain the key '${key}'`);
  }
  return JSON.stringify({ seq, at, type, ...data, prev });
}

/** The chain hash of a line: SHA-256 of its bytes, newline excluded. */
export function lineHash(line: string | Uint8Array): string {
  return sha256Hex(line);
}

/** Parse one line; null when it is not a well-formed entry. */
export function parseEntry(line: string): AuditEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (
    typeof v.seq !== "number" ||
    !Number.isInteger(v.seq) ||
    typeof v.at !== "string" ||
    typeof v.type !== "string" ||
    typeof v.prev !== "string" ||
    !/^[0-9a-f]{64}$/.test(v.prev)
  ) {
    return null;
  }
  return { ...v, seq: v.seq, at: v.at, type: v.type, prev: v.prev };
}

export interface RawLine {
  /** 1-based line number in the file. */
  number: number;
  bytes: Buffer;
  /** False for a final fragment that has no newline (a write cut short). */
  terminated: boolean;
}

/** Split the log's bytes into lines, keeping exact bytes for hashing. */
export function splitLines(data: Buffer): RawLine[] {
  const lines: RawLine[] = [];
  let start = 0;
  let number = 1;
  while (start < data.length) {
    const nl = data.indexOf(0x0a, start);
    if (nl < 0) {
      lines.push({ number, bytes: data.subarray(start), terminated: false });
      break;
    }
    lines.push({ number, bytes: data.subarray(start, nl), terminated: true });
    start = nl + 1;
    number += 1;
  }
  return lines;
}

export type ChainFinding =
  | { kind: "torn"; line: number; bytes: number; acknowledged: boolean; detail: string }
  | { kind: "unparsable"; line: number; detail: string }
  | { kind: "broken-link"; line: number; seq: number; detail: string }
  | { kind: "seq"; line: number; seq: number; detail: string };

export interface ChainResult {
  entries: { line: number; entry: AuditEntry; hash: string }[];
  findings: ChainFinding[];
  /** Last intact entry (what the next entry chains to). */
  last: { seq: number; hash: string } | null;
}

/**
 * Walk the chain. Every entry's prev must equal the hash of the intact line before it and its seq must
 * be one more. A line that is not a complete entry is a tear; it is *acknowledged* when the very next
 * line is an `audit-torn-line` entry recording that line number and the fragment's hash (the daemon
 * writes one when it finds the tear on start-up). Only the last line of the file may be unacknowledged
 * torn without also being reported as a broken chain.
 */
export function checkChain(data: Buffer): ChainResult {
  const raw = splitLines(data);
  const entries: ChainResult["entries"] = [];
  const findings: ChainFinding[] = [];
  let last: ChainResult["last"] = null;
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i] as RawLine;
    const text = line.bytes.toString("utf8");
    const entry = line.terminated ? parseEntry(text) : null;
    if (!entry) {
      const next = raw[i + 1];
      const nextEntry = next?.terminated ? parseEntry(next.bytes.toString("utf8")) : null;
      const acknowledged =
        nextEntry?.type === TORN_LINE_TYPE &&
        nextEntry.tornLine === line.number &&
        nextEntry.tornSha256 === lineHash(line.bytes);
      if (acknowledged || i === raw.length - 1) {
        findings.push({
          kind: "torn",
          line: line.number,
          bytes: line.bytes.length,
          acknowledged,
          detail: acknowledged
            ? `line ${line.number}: torn entry (${line.bytes.length} bytes) from an interrupted write, recorded by the next line`
            : `line ${line.number}: truncated entry (${line.bytes.length} bytes${line.terminated ? ", unparsable" : ", no newline"})`,
        });
      } else {
        findings.push({
          kind: "unparsable",
          line: line.number,
          detail: `line ${line.number}: not an audit entry`,
        });
      }
      continue;
    }
    const hash = lineHash(line.bytes);
    const expectedPrev: string = last ? last.hash : GENESIS_PREV;
    const expectedSeq: number = last ? last.seq + 1 : entry.seq;
    if (entry.prev !== expectedPrev) {
      findings.push({
        kind: "broken-link",
        line: line.number,
        seq: entry.seq,
        detail: `line ${line.number} (seq ${entry.seq}): prev does not match the hash of the entry before it (a line before it was changed, removed or moved)`,
      });
    }
    if (entry.seq !== expectedSeq || (!last && entry.seq !== 1)) {
      findings.push({
        kind: "seq",
        line: line.number,
        seq: entry.seq,
        detail: `line ${line.number}: seq ${entry.seq}, expected ${last ? expectedSeq : 1}`,
      });
    }
    entries.push({ line: line.number, entry, hash });
    last = { seq: entry.seq, hash };
  }
  return { entries, findings, last };
}
