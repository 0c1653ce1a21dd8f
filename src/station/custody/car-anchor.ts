import { lineHash, parseEntry, splitLines } from "../../evidence/audit-entry.js";

/**
 * The anchor of a station record in a car's own audit chain: the seq and SHA-256 of the last line
 * of the audit excerpt the car uploaded with the event (the chain's head as far as the station
 * knows it). Stored with the event at ingest and printed in every export.
 */
export interface CarAuditHead {
  seq: number;
  sha256: string;
}

export function carAuditHead(excerpt: Buffer | null): CarAuditHead | null {
  if (!excerpt) return null;
  const lines = splitLines(excerpt).filter((l) => l.terminated);
  const last = lines[lines.length - 1];
  if (!last) return null;
  const entry = parseEntry(last.bytes.toString("utf8"));
  return entry ? { seq: entry.seq, sha256: lineHash(last.bytes) } : null;
}
