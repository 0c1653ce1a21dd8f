import { existsSync } from "node:fs";
import { ControlUnavailableError, controlRequest } from "../control/control-client.js";
import { type ControlRequest, controlSocketPath } from "../control/control-protocol.js";
import { systemClock } from "../core/clock.js";
import { silentLogger } from "../core/logger.js";
import { AuditLockedError } from "../evidence/audit-lock.js";
import { AuditLog } from "../evidence/audit-log.js";
import { DataDirLockedError, isDaemonHolder, lockDataDir } from "../storage/data-dir-lock.js";

/**
 * Operator actions (officer set, event tag) from the CLI. The audit log has exactly one writer: when a
 * daemon runs, the action goes through its control socket and the daemon's own audit log; when none
 * runs, the CLI takes the data dir's lock (`daemon.lock`, which a running daemon holds) and `audit.lock`,
 * and writes directly. Never both.
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
  let dirLock: Awaited<ReturnType<typeof lockDataDir>>;
  try {
    // a short wait covers another CLI write; a daemon holding it never lets go
    dirLock = await lockDataDir(dataDir, {
      command: `camsync ${request.op}`,
      waitMs: 2000,
      waitFor: (holder) => !isDaemonHolder(holder),
    });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      throw new Error(`${err.message}; its control socket did not answer, so the action was not recorded`);
    }
    throw err;
  }
  const audit = new AuditLog({ dataDir, clock: systemClock, logger: silentLogger() });
  try {
    audit.open();
    return { via: "direct", result: await direct(audit) };
  } catch (err) {
    if (err instanceof AuditLockedError) {
      throw new Error(`${err.message}; its control socket did not answer, so the action was not recorded`);
    }
    throw err;
  } finally {
    audit.close();
    dirLock.release();
  }
}
