import { existsSync, readFileSync } from "node:fs";
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

/** What the audit log and the event's own directory say (`eventId`: the event the state file calls open). */
export function readDurableRecord(dataDir: string, eventId: string | null): DurableRecord {
  let lastSeq = 0;
  let closed: string | null = null;
  let audit = "";
  try {
    audit = readFileSync(join(dataDir, AUDIT_FILE), "utf8");
  } catch {
    // no audit log yet (first start) or unreadable: the journal still speaks
  }
  for (const line of audit.split("\n")) {
    // Cheap filter first: the log holds every upload and alert too.
    if (!line.includes('"decision"') && !line.includes(FINALIZED_TYPE)) continue;
    const e = parseEntry(line);
    if (!e) continue;
    if (e.type === "decision" && typeof e.decisionSeq === "number")
      lastSeq = Math.max(lastSeq, e.decisionSeq);
    if (eventId === null || e.eventId !== eventId || closed) continue;
    if (e.type === "decision" && e.decision === "event-end")
      closed = `its event-end is in the audit log (${e.at})`;
    else if (e.type === FINALIZED_TYPE) closed = `it was finalized (audit log, ${e.at})`;
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
