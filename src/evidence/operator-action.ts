import { existsSync } from "node:fs";
import { systemClock } from "../core/clock.js";
import { ControlUnavailableError, controlRequest } from "../daemon/control-client.js";
import { type ControlRequest, controlSocketPath } from "../daemon/control-protocol.js";
import { silentLogger } from "../daemon/logger.js";
import { eventDirFor } from "./amendment.js";
import { AuditLockedError } from "./audit-lock.js";
import type { AuditAppender } from "./audit-log.js";
import { AuditLog } from "./audit-log.js";
import { currentOfficer, setEventOfficer, setOfficer } from "./officer.js";
import { tagEvent } from "./tag.js";

/**
 * Operator actions (officer set, event tag) from the CLI. The audit log has exactly one writer: when a
 * daemon runs, the action goes through its control socket and the daemon's own audit log; when none
 * runs, the CLI takes `audit.lock` and writes directly. Never both.
 */
export async function viaDaemonOrDirect(
  dataDir: string,
  request: ControlRequest,
  direct: (audit: AuditLog) => unknown,
  timeoutMs?: number,
): Promise<{ via: "daemon" | "direct"; result: unknown }> {
  const socket = controlSocketPath(dataDir);
  if (existsSync(socket)) {
    try {
      const res = await controlRequest(socket, request, timeoutMs);
      if (!res.ok) throw new Error(res.error);
      return { via: "daemon", result: res.result };
    } catch (err) {
      if (!(err instanceof ControlUnavailableError)) throw err;
      // a stale socket from a daemon that is gone: fall through to direct mode (the lock decides)
    }
  }
  const audit = new AuditLog({ dataDir, clock: systemClock, logger: silentLogger() });
  try {
    audit.open();
  } catch (err) {
    if (err instanceof AuditLockedError) {
      throw new Error(`${err.message}; its control socket did not answer, so the action was not recorded`);
    }
    throw err;
  }
  try {
    return { via: "direct", result: await direct(audit) };
  } finally {
    audit.close();
  }
}

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
