import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { isEventId } from "../core/event-id.js";
import { sha256Hex } from "../storage/sha256.js";
import { AMENDMENT_TYPE } from "./audit-entry.js";
import type { AuditAppender, AuditRecord } from "./audit-log.js";
import { fieldHashes, loadManifest, MANIFEST_FILE, serializeManifest } from "./manifest-file.js";

/**
 * Changing a finished event's manifest (offload result, category, notes, officer). The manifest is
 * rewritten atomically and the change is a new `manifest-amended` audit entry carrying the previous
 * and new manifest hashes and the changed fields: verification follows the amendments, nothing is edited
 * in place. A manifest that no longer matches its audit record is never amended (that would launder
 * a tampered manifest).
 */
export class AmendmentRefusedError extends Error {
  override name = "AmendmentRefusedError";
}

/** `{dataDir}/events/{eventId}`, refusing anything that is not an event id (no path tricks). */
export function eventDirFor(dataDir: string, eventId: string): string {
  if (!isEventId(eventId)) throw new AmendmentRefusedError(`'${eventId}' is not an event id`);
  return join(dataDir, "events", eventId);
}

export interface AmendmentResult {
  eventId: string;
  manifestSha256: string;
  record: AuditRecord;
}

/**
 * Apply `changes` (top-level manifest fields; `undefined` removes a field) and record them.
 * Order: new manifest to a temp file + fsync → audit entry + fsync → rename. A crash in between leaves
 * the old manifest and an audit record that `verify` reports, never a silent change.
 */
export function amendManifest(
  audit: AuditAppender,
  eventDir: string,
  reason: string,
  changes: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): AmendmentResult {
  const current = loadManifest(eventDir);
  const eventId = current.manifest.eventId;
  if (basename(resolve(eventDir)) !== eventId) {
    throw new AmendmentRefusedError(`${eventDir}: manifest is for event ${eventId}, not this directory`);
  }
  const recorded = audit.latestManifest(eventId);
  if (recorded && recorded.sha256 !== current.sha256) {
    throw new AmendmentRefusedError(
      `manifest of ${eventId} does not match its audit record; run \`camsync verify ${eventDir}\` (amendment refused)`,
    );
  }
  const next: Record<string, unknown> = { ...current.json };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  const text = serializeManifest(next);
  const manifestSha256 = sha256Hex(text);
  const path = join(eventDir, MANIFEST_FILE);
  const tmp = join(eventDir, `.${MANIFEST_FILE}.${process.pid}.amend.tmp`);
  const fd = openSync(tmp, "w", 0o640);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let record: AuditRecord;
  try {
    record = audit.append(AMENDMENT_TYPE, {
      eventId,
      reason,
      changes: Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v ?? null])),
      ...extra,
      previousManifestSha256: current.sha256,
      manifestSha256,
      fields: fieldHashes(next),
    });
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  renameSync(tmp, path);
  const dirFd = openSync(eventDir, "r");
  try {
    fsyncSync(dirFd);
  } catch {
    // some filesystems refuse fsync on directories
  } finally {
    closeSync(dirFd);
  }
  return { eventId, manifestSha256, record };
}
