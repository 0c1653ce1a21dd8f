import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { checkChain } from "./audit-entry.js";
import type { VerifyReport } from "./verify.js";

/**
 * `camsync verify AUDIT_FILE`: one audit log on its own (the car's `audit.jsonl`, or the station's
 * chain of custody, which has the same format): every line an entry, every link and seq intact.
 */
export function verifyAuditFile(path: string): VerifyReport {
  const chain = checkChain(readFileSync(path));
  const name = basename(path);
  const findings = chain.findings.map((f) => ({
    severity: f.kind === "torn" && f.acknowledged ? ("warning" as const) : ("error" as const),
    subject: `${name} line ${f.line}`,
    message: f.detail,
  }));
  return {
    findings,
    events: 0,
    files: 0,
    auditEntries: chain.entries.length,
    ok: !findings.some((f) => f.severity === "error"),
  };
}
