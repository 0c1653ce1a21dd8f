import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../storage/sha256.js";
import { AUDIT_EXCERPT_FILE, auditExcerpt } from "./audit-excerpt.js";
import { AUDIT_FILE } from "./audit-log.js";

/**
 * The car side of the audit excerpt: written next to the event (`.audit-excerpt.jsonl`, a dot-file,
 * so `verify` and retention do not take it for evidence) for offload to upload as `audit.jsonl`
 * before the manifest. Null when the audit log has no manifest record of the event.
 */
export const LOCAL_EXCERPT_FILE = ".audit-excerpt.jsonl";

export function writeAuditExcerpt(
  dataDir: string,
  eventDir: string,
  eventId: string,
): { name: string; path: string; sha256: string; bytes: number } | null {
  let log: Buffer;
  try {
    log = readFileSync(join(dataDir, AUDIT_FILE));
  } catch {
    return null;
  }
  const excerpt = auditExcerpt(log, eventId);
  if (!excerpt) return null;
  const path = join(eventDir, LOCAL_EXCERPT_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, excerpt);
  renameSync(tmp, path);
  return { name: AUDIT_EXCERPT_FILE, path, sha256: sha256Hex(excerpt), bytes: excerpt.length };
}
