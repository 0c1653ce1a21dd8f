import { isManifestRecord, lineHash, parseEntry, splitLines } from "./audit-entry.js";

/**
 * An event's audit excerpt: the consecutive lines of a car's audit log from the first entry about
 * the event to the latest record of its manifest (`event-finalized` / `manifest-amended`). Uploaded
 * beside the manifest as `audit.jsonl`, it lets the station check, without the car, that the
 * manifest it reads is the one the car's hash chain recorded. The first line's `prev` points into
 * the part of the chain not included; every later link is checked.
 */
export const AUDIT_EXCERPT_FILE = "audit.jsonl";

/** The excerpt for `eventId` from a whole audit log's bytes, or null when the log has no record of its manifest. */
export function auditExcerpt(log: Buffer, eventId: string): Buffer | null {
  const lines = splitLines(log).filter((l) => l.terminated);
  let first = -1;
  let last = -1;
  for (const [i, line] of lines.entries()) {
    const entry = parseEntry(line.bytes.toString("utf8"));
    if (entry?.eventId !== eventId) continue;
    if (first < 0) first = i;
    if (isManifestRecord(entry.type)) last = i;
  }
  if (last < 0) return null;
  return Buffer.concat(lines.slice(first, last + 1).flatMap((l) => [l.bytes, Buffer.from("\n")]));
}

export type ExcerptCheck =
  | { ok: true; entries: number; firstSeq: number; lastSeq: number }
  | { ok: false; problem: string };

/**
 * Check an excerpt: every line an intact entry, each `prev` the hash of the line before and `seq`
 * one more, amendments following the previous manifest record, and the latest record of the event's
 * manifest equal to `manifestSha256`.
 */
export function checkAuditExcerpt(data: Buffer, eventId: string, manifestSha256: string): ExcerptCheck {
  const lines = splitLines(data);
  if (lines.length === 0) return { ok: false, problem: "the audit excerpt is empty" };
  let prevHash: string | null = null;
  let prevSeq: number | null = null;
  let firstSeq = 0;
  let recorded: string | null = null;
  for (const line of lines) {
    const entry = line.terminated ? parseEntry(line.bytes.toString("utf8")) : null;
    if (!entry) return { ok: false, problem: `audit excerpt line ${line.number} is not an audit entry` };
    if (prevHash !== null && entry.prev !== prevHash)
      return {
        ok: false,
        problem: `audit excerpt line ${line.number} (seq ${entry.seq}): prev does not match the line before (chain broken)`,
      };
    if (prevSeq !== null && entry.seq !== prevSeq + 1)
      return {
        ok: false,
        problem: `audit excerpt line ${line.number}: seq ${entry.seq}, expected ${prevSeq + 1}`,
      };
    if (prevSeq === null) firstSeq = entry.seq;
    if (entry.eventId === eventId && isManifestRecord(entry.type)) {
      if (typeof entry.manifestSha256 !== "string")
        return {
          ok: false,
          problem: `audit excerpt line ${line.number}: manifest record without manifestSha256`,
        };
      if (recorded !== null && entry.type === "manifest-amended" && entry.previousManifestSha256 !== recorded)
        return {
          ok: false,
          problem: `audit excerpt line ${line.number}: amendment does not follow the previous manifest record`,
        };
      recorded = entry.manifestSha256;
    }
    prevHash = lineHash(line.bytes);
    prevSeq = entry.seq;
  }
  if (recorded === null) return { ok: false, problem: `the audit excerpt records no manifest of ${eventId}` };
  if (recorded !== manifestSha256)
    return {
      ok: false,
      problem: `manifest SHA-256 ${manifestSha256.slice(0, 12)}… is not the one the audit chain last recorded (${recorded.slice(0, 12)}…)`,
    };
  return { ok: true, entries: lines.length, firstSeq, lastSeq: prevSeq ?? firstSeq };
}
