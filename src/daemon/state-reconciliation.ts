import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { EngineSnapshot } from "../core/activation.js";
import { FINALIZED_TYPE, parseEntry } from "../evidence/audit-entry.js";
import { AUDIT_FILE } from "../evidence/audit-log.js";
import { MANIFEST_FILE } from "../evidence/manifest-file.js";
import { readJournal } from "../recorder/event-journal.js";

/**
 * At start, the activation engine's state file is checked against the durable records written after it:
 * the hash-chained audit log and the event's journal (and manifest). The state file is replaced without
 * fsync and its write can fail (disk full, a read-only file) while recording goes on, so it may be older
 * than what the daemon announced. The later, durable record wins:
 * - an event the state file calls open but whose end (an `event-end` decision, its journal's `end`, its
 *   finalization or manifest) is on record is not resumed: the engine starts idle;
 * - the decision sequence resumes from the highest `seq` on record, never backwards.
 */

export interface DurableRecord {
  /** Highest decision seq in the audit log and the journals read. */
  lastSeq: number;
  /** Why the event is known to be over, when it is. */
  closed: string | null;
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * The lines of a file from the last to the first, read in chunks from the end: the audit log grows for
 * as long as the car is in service, and what start-up needs is near its end.
 */
function* linesFromEnd(path: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return; // no audit log yet (first start) or unreadable: the journal still speaks
  }
  try {
    let pos = fstatSync(fd).size;
    let carry = Buffer.alloc(0);
    while (pos > 0) {
      const len = Math.min(CHUNK_BYTES, pos);
      pos -= len;
      const chunk = Buffer.alloc(len);
      readSync(fd, chunk, 0, len, pos);
      const buf = Buffer.concat([chunk, carry]);
      const firstNewline = buf.indexOf(0x0a);
      if (firstNewline < 0 && pos > 0) {
        carry = buf;
        continue;
      }
      // Bytes before the first newline may be the tail of a line that starts in an earlier chunk.
      const cut = pos > 0 ? firstNewline : -1;
      carry = buf.subarray(0, Math.max(cut, 0));
      const lines = buf
        .subarray(cut + 1)
        .toString("utf8")
        .split("\n");
      for (let i = lines.length - 1; i >= 0; i--) yield lines[i] as string;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * What the audit log and the event's own directory say (`eventId`: the event the state file calls open).
 * The audit log is read from its end, back to the event's start (or the last decision when there is no
 * event): decision seqs only grow, and an event's end comes after its start.
 */
export function readDurableRecord(dataDir: string, eventId: string | null): DurableRecord {
  let lastSeq = 0;
  let closed: string | null = null;
  for (const line of linesFromEnd(join(dataDir, AUDIT_FILE))) {
    // Cheap filter first: the log holds every upload and alert too.
    if (!line.includes('"decision"') && !line.includes(FINALIZED_TYPE)) continue;
    const e = parseEntry(line);
    if (!e) continue;
    if (e.type === "decision" && typeof e.decisionSeq === "number")
      lastSeq = Math.max(lastSeq, e.decisionSeq);
    if (eventId === null) {
      if (lastSeq > 0) break;
      continue;
    }
    if (e.eventId !== eventId) continue;
    if (!closed && e.type === "decision" && e.decision === "event-end")
      closed = `its event-end is in the audit log (${e.at})`;
    else if (!closed && e.type === FINALIZED_TYPE) closed = `it was finalized (audit log, ${e.at})`;
    if (e.type === "decision" && e.decision === "event-start" && lastSeq > 0) break;
  }
  if (eventId !== null) {
    const dir = join(dataDir, "events", eventId);
    for (const e of readJournal(dir).entries) {
      if (e.t === "decision" && e.seq !== undefined) lastSeq = Math.max(lastSeq, e.seq);
      if (closed) continue;
      if (e.t === "decision" && e.type === "event-end") closed = "its event-end is in its journal";
      else if (e.t === "end") closed = "its journal records its assembly";
    }
    if (!closed && existsSync(join(dir, MANIFEST_FILE))) closed = "it has a manifest";
  }
  return { lastSeq, closed };
}

/** The snapshot to start from, and what was corrected (empty when the state file agreed). Pure. */
export function reconcileSnapshot(
  snapshot: EngineSnapshot | undefined,
  record: DurableRecord,
): { snapshot: EngineSnapshot | undefined; corrections: string[] } {
  const corrections: string[] = [];
  if (!snapshot) {
    if (record.lastSeq === 0) return { snapshot, corrections };
    corrections.push(`no usable state file; decisions continue after seq ${record.lastSeq} (audit log)`);
    return {
      snapshot: { version: 1, state: "idle", seq: record.lastSeq, event: null, activeTriggers: {} },
      corrections,
    };
  }
  const next: EngineSnapshot = structuredClone(snapshot);
  if (next.event && next.state !== "idle" && record.closed) {
    corrections.push(
      `state file says event ${next.event.id} is ${next.state}, but ${record.closed}: not resumed (the state file was stale)`,
    );
    next.state = "idle";
    next.event = null;
  }
  if (record.lastSeq > next.seq) {
    corrections.push(
      `state file's decision seq ${next.seq} is behind the record (${record.lastSeq}); continuing after it`,
    );
    next.seq = record.lastSeq;
  }
  return { snapshot: next, corrections };
}
