import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AUDIT_FILE } from "./audit-log.js";
import type { ManifestFile } from "./manifest-file.js";
import type { Finding } from "./verify-report.js";

/**
 * Whether an event directory holds all of its event and nothing else: a manifest once the event has ended,
 * and no footage past the event's own end. Used by `verify`.
 */

/**
 * An event ends at its first `event-end` decision (audit log or the manifest's own timeline). A manifest
 * that ends later or holds segments that start after it was stretched over unrelated footage (an ended
 * event wrongly reopened).
 */
export function checkFootageWithinEnd(
  manifest: ManifestFile,
  recordedEnd: { at: number; line: number } | undefined,
  manifestPath: string,
  findings: Finding[],
): void {
  const ends = manifest.timeline
    .filter((t) => t.type === "event-end")
    .map((t) => ({ at: Date.parse(t.at), where: "its timeline" }));
  if (recordedEnd) ends.push({ at: recordedEnd.at, where: `${AUDIT_FILE} line ${recordedEnd.line}` });
  const first = ends.filter((e) => Number.isFinite(e.at)).sort((a, b) => a.at - b.at)[0];
  if (!first) return;
  const endIso = new Date(first.at).toISOString();
  const endedAt = manifest.endedAt ? Date.parse(manifest.endedAt) : Number.NaN;
  if (endedAt > first.at) {
    findings.push({
      severity: "error",
      subject: `${manifestPath} field endedAt`,
      message: `${manifest.endedAt} is after the event's end (${endIso}, ${first.where})`,
    });
  }
  const after = manifest.cameras.flatMap((c) =>
    c.segments.filter((seg) => seg.startedAt !== undefined && Date.parse(seg.startedAt) >= first.at),
  );
  if (after.length > 0) {
    const last = after
      .map((seg) => seg.startedAt)
      .sort()
      .at(-1);
    findings.push({
      severity: "error",
      subject: `${manifestPath} field cameras`,
      message: `${after.length} segment(s) start after the event's end (${endIso}, ${first.where}), the last at ${last}: footage after the end is not this event's`,
    });
  }
}

/** Time an ended event gets to be assembled before its missing manifest is an error. */
export const ASSEMBLY_GRACE_MS = 120_000;

/** When the event ended, from its journal (`event-end` decision or assembly `end`), or null. */
function journalEnd(eventDir: string): number | null {
  let text: string;
  try {
    text = readFileSync(join(eventDir, "journal.jsonl"), "utf8");
  } catch {
    return null;
  }
  let end: number | null = null;
  for (const line of text.split("\n")) {
    if (!line.includes('"event-end"') && !line.includes('"t":"end"')) continue;
    try {
      const e = JSON.parse(line) as { t?: unknown; type?: unknown; at?: unknown };
      const ended = e.t === "end" || (e.t === "decision" && e.type === "event-end");
      if (ended && typeof e.at === "number") end = end === null ? e.at : Math.min(end, e.at);
    } catch {
      // a torn last line
    }
  }
  return end;
}

/**
 * An event directory without a manifest: an error once the event has ended (its journal or the audit log
 * says so) and assembly had time to finish, since its footage is then neither hashed nor sealed; a warning
 * while it may still be recording (no end on record: recording, or interrupted and assembled at the next
 * daemon start).
 */
export function missingManifest(eventDir: string, auditEnd: number | null): Finding {
  const ends = [journalEnd(eventDir), auditEnd].filter((t): t is number => t !== null);
  if (ends.length === 0) {
    return {
      severity: "warning",
      subject: eventDir,
      message:
        "no manifest.json: the event is still being recorded (or was interrupted; assembled at the next start)",
    };
  }
  const endedAt = Math.min(...ends);
  const ago = Date.now() - endedAt;
  if (ago < ASSEMBLY_GRACE_MS) {
    return {
      severity: "warning",
      subject: eventDir,
      message: `no manifest.json yet: the event ended ${Math.round(ago / 1000)} s ago and is being assembled`,
    };
  }
  return {
    severity: "error",
    subject: eventDir,
    message: `no manifest.json: the event ended at ${new Date(endedAt).toISOString()} but was never assembled (its footage is not hashed or sealed)`,
  };
}
