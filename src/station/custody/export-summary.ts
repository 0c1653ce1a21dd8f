import { escapeHtml } from "../../core/escape-html.js";
import type { ExportDescription } from "./export-format.js";

/** The human-readable page of a court export: incident, devices, times, hashes, who exported it. */

const cell = (s: string | number | null) => `<td>${s === null ? "—" : escapeHtml(String(s))}</td>`;

export function renderExportSummary(d: ExportDescription): string {
  const scope = d.scope.kind === "incident" ? `Incident ${d.scope.id}` : `Case ${d.scope.caseNumber}`;
  const marks =
    d.marks.length === 0
      ? ""
      : `<p class="marks"><strong>Marked:</strong> ${d.marks
          .map((m) =>
            m === "held"
              ? "under legal hold (an item of this export is held)"
              : "quarantined (an item failed verification at ingest; see its row)",
          )
          .join("; ")}</p>`;
  const items = d.items
    .map(
      (i) =>
        `<tr>${cell(i.kind)}${cell(i.id)}${cell(i.device)}${cell(i.officer)}${cell(i.startedAt)}${cell(
          i.endedAt,
        )}${cell(i.categories.join(", ") || "uncategorised")}${cell(
          [i.held ? "held" : "", i.quarantined ? "quarantined" : ""].filter(Boolean).join(", ") || null,
        )}${cell(i.carAuditHead ? `seq ${i.carAuditHead.seq} ${i.carAuditHead.sha256}` : null)}</tr>`,
    )
    .join("\n");
  const files = d.items
    .flatMap((i) => [
      {
        member: i.manifest.member,
        sha256: i.manifest.sha256,
        bytes: null as number | null,
        note: "manifest",
      },
      ...i.files.map((f) => ({
        member: f.member,
        sha256: f.sha256,
        bytes: f.bytes,
        note:
          f.sha256 === f.indexedSha256
            ? "matches the hash verified at ingest"
            : `DIFFERS from the hash verified at ingest (${f.indexedSha256})`,
      })),
    ])
    .map((f) => `<tr>${cell(f.member)}<td><code>${f.sha256}</code></td>${cell(f.bytes)}${cell(f.note)}</tr>`)
    .join("\n");
  const clip = d.clip
    ? `<h2>Clip</h2><p>${escapeHtml(d.clip.member)} (${d.clip.bytes} bytes, SHA-256 <code>${d.clip.sha256}</code>):
seconds ${d.clip.requested.fromSeconds}–${d.clip.requested.toSeconds} of ${escapeHtml(d.clip.source.itemId)} / ${escapeHtml(
        d.clip.source.file,
      )} (SHA-256 <code>${d.clip.source.sha256}</code>). ${escapeHtml(d.clip.method)}.</p>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(scope)} — evidence export ${escapeHtml(d.exportId)}</title>
<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;text-align:left}code{font-size:12px}.marks{color:#a00}</style>
</head><body>
<h1>${escapeHtml(scope)}</h1>
<p>Export ${escapeHtml(d.exportId)}, made ${escapeHtml(d.createdAt)} by ${escapeHtml(d.exportedBy)}.
Signed by the station key with fingerprint <code>${d.station.keyFingerprint}</code> (SHA-256 of the DER public key).</p>
${marks}
<h2>Recordings</h2>
<table><tr><th>kind</th><th>id</th><th>device</th><th>officer</th><th>start (UTC)</th><th>end (UTC)</th><th>categories</th><th>custody</th><th>car audit chain head</th></tr>
${items}
</table>
<h2>Files</h2>
<table><tr><th>member</th><th>SHA-256</th><th>bytes</th><th>note</th></tr>
${files}
</table>
${clip}
<h2>Audit</h2><p>${d.stationAudit.entries} station audit entries about these recordings are in ${escapeHtml(
    d.stationAudit.member,
  )}. How to check this export without camsync: see README of the format in the station documentation (SHA256SUMS, SHA256SUMS.sig, station-key.pub.pem).</p>
</body></html>
`;
}
