import { eventDirFor } from "./amendment.js";
import type { AuditAppender } from "./audit-log.js";
import { currentOfficer, setEventOfficer, setOfficer } from "./officer.js";
import { tagEvent } from "./tag.js";

export interface EvidenceControlDeps {
  audit: AuditAppender;
  dataDir: string;
  now: () => number;
}

/** Handlers for the daemon's control server: `control.handle("officer-set", h.officerSet)` etc. */
export function evidenceControlHandlers(deps: EvidenceControlDeps) {
  return {
    officerSet(req: { officer: string; eventId?: string | undefined }): {
      officer: string;
      previous: string | null;
      seq: number;
    } {
      if (req.eventId) {
        const rec = setEventOfficer(
          deps.audit,
          eventDirFor(deps.dataDir, req.eventId),
          req.officer,
          "control",
        );
        return { officer: req.officer, previous: null, seq: rec.record.seq };
      }
      const previous = currentOfficer(deps.dataDir);
      const rec = setOfficer(deps.audit, deps.dataDir, req.officer, deps.now(), "control");
      return { officer: req.officer, previous, seq: rec.seq };
    },
    eventTag(req: {
      eventId: string;
      category?: string | undefined;
      note?: string | undefined;
      critical?: true | undefined;
      by?: string | undefined;
    }) {
      const r = tagEvent(deps.audit, eventDirFor(deps.dataDir, req.eventId), {
        category: req.category,
        note: req.note,
        critical: req.critical,
        by: req.by,
      });
      return { eventId: r.eventId, manifestSha256: r.manifestSha256, seq: r.record.seq };
    },
  };
}
