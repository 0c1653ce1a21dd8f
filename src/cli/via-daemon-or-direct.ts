import { existsSync } from "node:fs";
import { ControlUnavailableError, controlRequest } from "../control/control-client.js";
import { type ControlRequest, controlSocketPath } from "../control/control-protocol.js";
import { systemClock } from "../core/clock.js";
import { silentLogger } from "../core/logger.js";
import { AuditLockedError } from "../evidence/audit-lock.js";
import { AuditLog } from "../evidence/audit-log.js";

/**
 * Operator actions (officer set, event tag) from the CLI. The audit log has exactly one writer: when a
 * daemon runs, the action goes through its control socket and the daemon's own audit log; when none
 * runs, the CLI takes `audit.lock` and writes directly. Never both.
 */
export async function viaDaemonOrDirect(
  dataDir: string,
  request: ControlRequest,
  direct: (audit: AuditLog) => unknown,
): Promise<{ via: "daemon" | "direct"; result: unknown }> {
  const socket = controlSocketPath(dataDir);
  if (existsSync(socket)) {
    try {
      const res = await controlRequest(socket, request);
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
    return { via: "direct", result: direct(audit) };
  } finally {
    audit.close();
  }
}
