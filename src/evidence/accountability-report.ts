import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkChain } from "./audit-entry.js";
import { AUDIT_FILE } from "./audit-log.js";
import { type Downtime, daemonDowntime } from "./downtime.js";
import { loadManifest, MANIFEST_FILE, type ManifestFile } from "./manifest-file.js";

/**
 * `camsync report`: what auditors compare against dispatch records. For every activation since a date:
 * when and why it started, who was on shift, which body cams confirmed (and how fast), which did not,
 * gaps in the video, and whether the evidence reached the storage server. Built from the manifests
 * and the audit log (which still knows events whose local copy was deleted after upload), with the
 * periods the daemon was not running.
 */
export interface ActivationRow {
  eventId: string;
  startedAt: string;
  endedAt: string | null;
  origin: string | null;
  reason: string | null;
  officer: string | null;
  category: string | null;
  critical: boolean;
  confirmed: { id: string; latencyMs: number | null }[];
  unconfirmed: string[];
  gaps: { camera: string; from: string; to: string; seconds: number; cause: string }[] | null;
  upload: {
    state: "verified" | "pending" | "failed" | "not-finalized";
    at: string | null;
    location: string | null;
    method: string | null;
  };
  local: "present" | "deleted-after-upload" | "missing";
}

export interface AccountabilityReport {
  since: string;
  until: string | null;
  activations: ActivationRow[];
  totals: {
    activations: number;
    withUnconfirmedCams: number;
    withGaps: number;
    uploadVerified: number;
    uploadPending: number;
    uploadFailed: number;
  };
  /** When the daemon was not running (from its start and stop records). */
  downtime: Downtime[];
  auditProblems: number;
}

type Entry = Record<string, unknown> & { type: string; at: string };

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function row(eventId: string): ActivationRow {
  return {
    eventId,
    startedAt: "",
    endedAt: null,
    origin: null,
    reason: null,
    officer: null,
    category: null,
    critical: false,
    confirmed: [],
    unconfirmed: [],
    gaps: null,
    upload: { state: "not-finalized", at: null, location: null, method: null },
    local: "missing",
  };
}

function fromManifest(r: ActivationRow, m: ManifestFile): void {
  r.startedAt = m.startedAt;
  r.endedAt = m.endedAt ?? null;
  r.origin = m.origin ? `${m.origin.kind}:${m.origin.id}` : r.origin;
  r.officer = m.officer ?? null;
  r.category = m.category ?? null;
  r.critical = m.critical === true;
  r.confirmed = m.bodycams
    .filter((b) => b.confirmedAt !== null)
    .map((b) => ({ id: b.id, latencyMs: b.latencyMs }));
  r.unconfirmed = m.bodycams.filter((b) => b.confirmedAt === null).map((b) => b.id);
  r.gaps = m.cameras.flatMap((c) => c.gaps.map((g) => ({ camera: c.name, ...g })));
  const o = m.offload;
  r.upload =
    o?.state === "verified"
      ? {
          state: "verified",
          at: o.verifiedAt ?? null,
          location: `${o.bucket ?? ""}/${o.key ?? ""}`,
          method: o.method ?? null,
        }
      : { ...r.upload, state: r.upload.state === "failed" ? "failed" : "pending" };
  r.local = "present";
}

export function buildReport(dataDir: string, since: number, until: number | null): AccountabilityReport {
  const rows = new Map<string, ActivationRow>();
  const get = (id: string) => rows.get(id) ?? (rows.set(id, row(id)).get(id) as ActivationRow);
  const auditPath = join(dataDir, AUDIT_FILE);
  let auditProblems = 0;
  let downtime: Downtime[] = [];
  if (existsSync(auditPath)) {
    const chain = checkChain(readFileSync(auditPath));
    auditProblems = chain.findings.filter((f) => !(f.kind === "torn" && f.acknowledged)).length;
    downtime = daemonDowntime(
      chain.entries.map((x) => x.entry),
      since,
      until,
    );
    for (const { entry } of chain.entries as { entry: Entry }[]) {
      const eventId = str(entry.eventId);
      if (!eventId) continue;
      if (entry.type === "decision" && entry.decision === "event-start") {
        const r = get(eventId);
        r.startedAt = str(entry.decidedAt) ?? entry.at;
        const o = entry.origin as { kind?: string; id?: string } | undefined;
        r.origin = o?.kind ? `${o.kind}:${o.id ?? ""}` : null;
        r.reason = str(entry.reason);
      } else if (entry.type === "decision" && entry.decision === "event-end") {
        get(eventId).endedAt = str(entry.decidedAt) ?? entry.at;
      } else if (entry.type === "bodycam-confirmation") {
        const r = get(eventId);
        const id = str(entry.bodycamId) ?? "?";
        r.confirmed = r.confirmed.filter((c) => c.id !== id);
        r.unconfirmed = r.unconfirmed.filter((c) => c !== id);
        if (entry.confirmedAt)
          r.confirmed.push({ id, latencyMs: typeof entry.latencyMs === "number" ? entry.latencyMs : null });
        else r.unconfirmed.push(id);
      } else if (entry.type === "event-finalized") {
        const r = get(eventId);
        if (r.upload.state === "not-finalized") r.upload.state = "pending";
      } else if (entry.type === "upload-verify-failed") {
        get(eventId).upload.state = "failed";
      } else if (entry.type === "manifest-amended" && entry.reason === "offload") {
        const o = (
          entry.changes as {
            offload?: { verifiedAt?: string; bucket?: string; key?: string; method?: string };
          }
        )?.offload;
        get(eventId).upload = {
          state: "verified",
          at: o?.verifiedAt ?? null,
          location: `${o?.bucket ?? ""}/${o?.key ?? ""}`,
          method: o?.method ?? null,
        };
      } else if (entry.type === "event-deleted") {
        get(eventId).local = "deleted-after-upload";
      }
    }
  }
  const eventsDir = join(dataDir, "events");
  if (existsSync(eventsDir)) {
    for (const name of readdirSync(eventsDir)) {
      if (!existsSync(join(eventsDir, name, MANIFEST_FILE))) continue;
      try {
        const m = loadManifest(join(eventsDir, name)).manifest;
        fromManifest(get(m.eventId), m);
      } catch {
        get(name).local = "present"; // unreadable manifest: `camsync verify` names it
      }
    }
  }
  const activations = [...rows.values()]
    .filter((r) => {
      const t = Date.parse(r.startedAt);
      return !Number.isNaN(t) && t >= since && (until === null || t < until);
    })
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return {
    since: new Date(since).toISOString(),
    until: until === null ? null : new Date(until).toISOString(),
    activations,
    totals: {
      activations: activations.length,
      withUnconfirmedCams: activations.filter((a) => a.unconfirmed.length > 0).length,
      withGaps: activations.filter((a) => (a.gaps?.length ?? 0) > 0).length,
      uploadVerified: activations.filter((a) => a.upload.state === "verified").length,
      uploadPending: activations.filter(
        (a) => a.upload.state === "pending" || a.upload.state === "not-finalized",
      ).length,
      uploadFailed: activations.filter((a) => a.upload.state === "failed").length,
    },
    downtime,
    auditProblems,
  };
}

/** Plain text for the terminal / printing. */
export function formatReport(r: AccountabilityReport): string {
  const lines = [`Activations since ${r.since}${r.until ? ` until ${r.until}` : ""}`, ""];
  for (const a of r.activations) {
    lines.push(`${a.eventId}  ${a.startedAt} → ${a.endedAt ?? "(open)"}`);
    lines.push(`  started by   ${a.origin ?? "?"}${a.reason ? ` (${a.reason})` : ""}`);
    lines.push(
      `  officer      ${a.officer ?? "-"}${a.category ? `   category ${a.category}` : ""}${a.critical ? "   CRITICAL" : ""}`,
    );
    lines.push(
      `  body cams    ${a.confirmed.map((c) => `${c.id} confirmed${c.latencyMs === null ? "" : ` (${c.latencyMs} ms)`}`).join(", ") || "-"}`,
    );
    if (a.unconfirmed.length > 0) lines.push(`  UNCONFIRMED  ${a.unconfirmed.join(", ")}`);
    if (a.gaps === null) lines.push("  gaps         unknown locally (see the uploaded manifest)");
    else if (a.gaps.length === 0) lines.push("  gaps         none");
    else
      for (const g of a.gaps)
        lines.push(`  GAP          ${g.camera} ${g.from} → ${g.to} (${g.seconds} s, ${g.cause})`);
    const u = a.upload;
    lines.push(
      `  upload       ${u.state}${u.at ? ` ${u.at}` : ""}${u.method ? ` (${u.method})` : ""}${u.location ? ` ${u.location}` : ""}; local copy ${a.local}`,
    );
    lines.push("");
  }
  for (const d of r.downtime) {
    lines.push(
      `DAEMON DOWN  ${d.from} → ${d.to}${d.orderly ? " (stopped)" : " (crash or power cut: no orderly stop recorded)"}`,
    );
  }
  if (r.downtime.length > 0) lines.push("");
  const t = r.totals;
  lines.push(
    `${t.activations} activation(s); ${t.withUnconfirmedCams} with unconfirmed body cams; ${t.withGaps} with gaps; uploads: ${t.uploadVerified} verified, ${t.uploadPending} pending, ${t.uploadFailed} failed`,
  );
  if (r.auditProblems > 0)
    lines.push(`WARNING: the audit log has ${r.auditProblems} problem(s); run camsync verify`);
  return `${lines.join("\n")}\n`;
}
