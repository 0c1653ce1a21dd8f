import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { isEventId } from "../core/event-id.js";
import type { AuditAppender } from "./audit-log.js";
import { fieldHashes, loadManifest, MANIFEST_FILE } from "./manifest-file.js";

/**
 * Events whose finalization the audit log never heard of: promoted by `camsync event create` while the
 * daemon was stopped (or from another process), or written just before a crash. Once a manifest has
 * been left alone for `graceMs`, it is recorded as `event-finalized` with `adopted: true`, so it is
 * verified, uploaded and retained like any other event — and the log says it was recorded when found,
 * not when it was finalized (`camsync verify` prints that as a warning).
 */
/** A manifest the audit log never heard of is adopted after this long (the recorder may be announcing it). */
export const ADOPT_AFTER_MS = 60_000;

export function adoptUnrecordedEvents(
  audit: AuditAppender,
  dataDir: string,
  now: number,
  graceMs: number,
): string[] {
  const eventsDir = join(dataDir, "events");
  if (!existsSync(eventsDir)) return [];
  const adopted: string[] = [];
  for (const name of readdirSync(eventsDir).sort()) {
    if (!isEventId(name) || audit.latestManifest(name)) continue;
    const path = join(eventsDir, name, MANIFEST_FILE);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st || now - st.mtimeMs < graceMs) continue;
    try {
      const m = loadManifest(join(eventsDir, name));
      if (m.manifest.eventId !== name) continue; // verify names it; never adopt a mismatched manifest
      audit.append("event-finalized", {
        eventId: name,
        manifestSha256: m.sha256,
        fields: fieldHashes(m.json),
        adopted: true,
        manifestModifiedAt: new Date(st.mtimeMs).toISOString(),
      });
      adopted.push(name);
    } catch {
      // unreadable manifest: verify names it
    }
  }
  return adopted;
}
