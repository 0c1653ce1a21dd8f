import { escapeHtml } from "../../core/escape-html.js";
import type { ReportRow } from "./officer-report.js";
import type { ShareLink } from "./share-links-repository.js";

/** Plain server-rendered pages of custody: the accountability report and a share link's page. */

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;text-align:left}.bad{color:#a00}</style>
</head><body>${body}</body></html>
`;

export function reportPage(rows: readonly ReportRow[], from: string, to: string, csvHref: string): string {
  const tr = (r: ReportRow) => {
    const bad = (n: number) => (n > 0 ? ` class="bad"` : "");
    return `<tr><td>${r.group}</td><td>${escapeHtml(r.key)}</td><td>${r.activations}</td><td${bad(
      r.activations - r.confirmed,
    )}>${r.confirmed}</td><td>${escapeHtml(r.unconfirmedBodycams.map((b) => `${b.id} ×${b.times}`).join(", "))}</td><td${bad(
      r.lateUploads,
    )}>${r.lateUploads}</td><td${bad(r.stillUploading)}>${r.stillUploading}</td><td${bad(r.uncategorisedOver7Days)}>${
      r.uncategorisedOver7Days
    }</td><td>${escapeHtml(r.problemEvents.join(" "))}</td></tr>`;
  };
  return page(
    "Accountability report",
    `<h1>Accountability report</h1>
<p>Events started from ${escapeHtml(from)} to ${escapeHtml(to)} (UTC). <a href="${escapeHtml(csvHref)}">CSV</a></p>
<table><tr><th>per</th><th>officer / vehicle</th><th>activations</th><th>confirmed recordings</th><th>body cams that did not confirm</th><th>uploaded &gt; 24 h late</th><th>still uploading after 24 h</th><th>uncategorised &gt; 7 days</th><th>events to follow up</th></tr>
${rows.map(tr).join("\n")}
</table>`,
  );
}

export interface SharedFile {
  kind: string;
  id: string;
  file: string;
  sha256: string;
  bytes: number;
  href: string;
}

export function sharePage(link: ShareLink, files: readonly SharedFile[]): string {
  return page(
    `Shared incident ${link.incidentId}`,
    `<h1>Incident ${escapeHtml(link.incidentId)}</h1>
<p>Shared with ${escapeHtml(link.recipient)} by ${escapeHtml(link.createdBy)}; the link expires ${escapeHtml(
      link.expiresAt,
    )}. Every download is recorded in the station's audit log.</p>
<table><tr><th>recording</th><th>file</th><th>bytes</th><th>SHA-256</th></tr>
${files
  .map(
    (f) =>
      `<tr><td>${escapeHtml(`${f.kind} ${f.id}`)}</td><td><a href="${escapeHtml(f.href)}">${escapeHtml(f.file)}</a></td><td>${
        f.bytes
      }</td><td><code>${f.sha256}</code></td></tr>`,
  )
  .join("\n")}
</table>`,
  );
}
