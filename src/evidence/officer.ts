import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { isoTime } from "../core/clock.js";
import { writeJsonAtomicSync } from "../storage/atomic-file.js";
import { AmendmentRefusedError, type AmendmentResult, amendManifest } from "./amendment.js";
import type { AuditAppender, AuditRecord } from "./audit-log.js";

/**
 * The officer on shift: `vehicle.officer` from the config, overridden by `camsync officer set ID`
 * (persisted in `{dataDir}/state/officer.json`, recorded in the audit log). The recorder reads
 * `currentOfficer()` when it writes a new manifest; an event's officer can also be amended afterwards.
 */
export const OFFICER_FILE = join("state", "officer.json");

export const officerIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "expected 1-64 letters, digits, '.', '-' or '_'");

const officerFileSchema = z.object({ officer: officerIdSchema, setAt: z.string() });

function validOfficer(id: string): string {
  const parsed = officerIdSchema.safeParse(id);
  if (!parsed.success)
    throw new AmendmentRefusedError(`officer id: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** The shift officer set with `camsync officer set`, else the configured default, else null. */
export function currentOfficer(dataDir: string, configured?: string | null): string | null {
  const path = join(dataDir, OFFICER_FILE);
  if (existsSync(path)) {
    try {
      const parsed = officerFileSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
      if (parsed.success) return parsed.data.officer;
    } catch {
      // unreadable: fall back to the configured officer
    }
  }
  return configured ?? null;
}

/** Start of shift: record the officer and make them the default for new events. */
export function setOfficer(
  audit: AuditAppender,
  dataDir: string,
  officer: string,
  now: number,
  by?: string,
): AuditRecord {
  const id = validOfficer(officer);
  const previous = currentOfficer(dataDir);
  const record = audit.append("officer-set", { officer: id, previous, ...(by ? { by } : {}) });
  mkdirSync(join(dataDir, "state"), { recursive: true, mode: 0o750 });
  writeJsonAtomicSync(join(dataDir, OFFICER_FILE), { officer: id, setAt: isoTime(now) });
  return record;
}

/** After the fact: the officer of one recorded event. */
export function setEventOfficer(
  audit: AuditAppender,
  eventDir: string,
  officer: string,
  by?: string,
): AmendmentResult {
  return amendManifest(audit, eventDir, "officer", { officer: validOfficer(officer) }, by ? { by } : {});
}
