/** What `camsync verify` found: one finding per change, and the totals it checked. */
export interface Finding {
  severity: "error" | "warning";
  /** What the finding is about: a path, `audit.jsonl line N`, `manifest field X`. */
  subject: string;
  message: string;
}

export interface VerifyReport {
  findings: Finding[];
  events: number;
  files: number;
  auditEntries: number;
  ok: boolean;
}
