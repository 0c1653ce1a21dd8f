import { z } from "zod";
import { AmendmentRefusedError, type AmendmentResult, amendManifest } from "./amendment.js";
import type { AuditAppender } from "./audit-log.js";
import { loadManifest } from "./manifest-file.js";

/**
 * Metadata after the fact: an event's category, notes and critical flag (`camsync event tag`, the status
 * page). Each tag is a manifest amendment: a new audit entry, never an edit of an old one.
 */
export const categorySchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _./-]{0,63}$/, "expected 1-64 letters, digits, spaces or - _ . /");

/** A case or incident number: letters, digits and - / . _ (no spaces). */
export const caseNumberSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/, "expected 1-64 letters, digits or - _ . /");

export interface EventTags {
  category?: string | undefined;
  caseNumber?: string | undefined;
  /** Appended to the manifest's notes (notes are never replaced). */
  note?: string | undefined;
  critical?: boolean | undefined;
  /** Who tagged (officer id, "status-page", …), recorded in the audit entry. */
  by?: string | undefined;
}

export function tagEvent(audit: AuditAppender, eventDir: string, tags: EventTags): AmendmentResult {
  const changes: Record<string, unknown> = {};
  if (tags.category !== undefined) {
    const parsed = categorySchema.safeParse(tags.category);
    if (!parsed.success)
      throw new AmendmentRefusedError(`category: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    changes.category = parsed.data;
  }
  if (tags.caseNumber !== undefined) {
    const parsed = caseNumberSchema.safeParse(tags.caseNumber);
    if (!parsed.success)
      throw new AmendmentRefusedError(`case number: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    changes.caseNumber = parsed.data;
  }
  if (tags.note !== undefined) {
    const note = tags.note.trim();
    if (note.length === 0 || note.length > 2000)
      throw new AmendmentRefusedError("note: expected 1-2000 characters");
    changes.notes = [...(loadManifest(eventDir).manifest.notes ?? []), note];
  }
  if (tags.critical !== undefined) changes.critical = tags.critical;
  if (Object.keys(changes).length === 0)
    throw new AmendmentRefusedError("nothing to tag: give a category, a case number, a note or critical");
  return amendManifest(audit, eventDir, "tag", changes, tags.by ? { by: tags.by } : {});
}
