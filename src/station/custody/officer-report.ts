/**
 * The station's accountability report, pure: per officer and per vehicle, activations against
 * confirmed recordings, the body cams that did not confirm, events uploaded more than 24 h late or
 * still uploading after 24 h, and events left uncategorised for more than 7 days. Built from index
 * rows (see report-repository.ts); rendered as HTML and CSV by report-page.ts.
 */
const HOUR = 3_600_000;
export const LATE_UPLOAD_MS = 24 * HOUR;
export const UNCATEGORISED_MS = 7 * 24 * HOUR;

export interface ReportEvent {
  eventId: string;
  vehicleId: string;
  officer: string | null;
  startedAt: number;
  endedAt: number | null;
  indexedAt: number;
  categories: readonly string[];
  deleted: boolean;
  /** Body cams commanded by the car, and whether each confirmed (from the manifest). */
  bodycams: readonly { id: string; commanded: boolean; confirmed: boolean }[];
}

/** An upload the station has been waiting for (an ingest job not done), by its car. */
export interface PendingUpload {
  vehicleId: string;
  eventId: string;
  since: number;
}

export interface ReportRow {
  group: "officer" | "vehicle";
  key: string;
  activations: number;
  /** Activations in which every commanded body cam confirmed it was recording. */
  confirmed: number;
  /** Body cams that did not confirm, with how many times. */
  unconfirmedBodycams: { id: string; times: number }[];
  /** Events that reached the station more than 24 h after they ended. */
  lateUploads: number;
  /** Uploads still not indexed 24 h after the station first saw them. */
  stillUploading: number;
  /** Events without any category more than 7 days after they started. */
  uncategorisedOver7Days: number;
  /** The event ids behind the problem counts, for follow-up. */
  problemEvents: string[];
}

function emptyRow(group: ReportRow["group"], key: string): ReportRow {
  return {
    group,
    key,
    activations: 0,
    confirmed: 0,
    unconfirmedBodycams: [],
    lateUploads: 0,
    stillUploading: 0,
    uncategorisedOver7Days: 0,
    problemEvents: [],
  };
}

const NO_OFFICER = "(no officer)";

export function buildReport(
  events: readonly ReportEvent[],
  pending: readonly PendingUpload[],
  now: number,
): ReportRow[] {
  const rows = new Map<string, ReportRow>();
  const rowFor = (group: ReportRow["group"], key: string) => {
    const id = `${group}\u0000${key}`;
    let r = rows.get(id);
    if (!r) {
      r = emptyRow(group, key);
      rows.set(id, r);
    }
    return r;
  };
  for (const e of events) {
    const commanded = e.bodycams.filter((b) => b.commanded);
    const missing = commanded.filter((b) => !b.confirmed);
    const late = e.indexedAt - (e.endedAt ?? e.startedAt) > LATE_UPLOAD_MS;
    const uncategorised = !e.deleted && e.categories.length === 0 && now - e.startedAt > UNCATEGORISED_MS;
    for (const r of [rowFor("officer", e.officer ?? NO_OFFICER), rowFor("vehicle", e.vehicleId)]) {
      r.activations += 1;
      if (missing.length === 0) r.confirmed += 1;
      for (const b of missing) {
        const seen = r.unconfirmedBodycams.find((x) => x.id === b.id);
        if (seen) seen.times += 1;
        else r.unconfirmedBodycams.push({ id: b.id, times: 1 });
      }
      if (late) r.lateUploads += 1;
      if (uncategorised) r.uncategorisedOver7Days += 1;
      if (missing.length > 0 || late || uncategorised) r.problemEvents.push(e.eventId);
    }
  }
  for (const p of pending) {
    if (now - p.since <= LATE_UPLOAD_MS) continue;
    const r = rowFor("vehicle", p.vehicleId);
    r.stillUploading += 1;
    r.problemEvents.push(p.eventId);
  }
  for (const r of rows.values()) r.unconfirmedBodycams.sort((a, b) => a.id.localeCompare(b.id));
  return [...rows.values()].sort((a, b) => a.group.localeCompare(b.group) || a.key.localeCompare(b.key));
}

const csvCell = (v: string | number) => {
  const s = String(v);
  // quote always when needed; a leading = + - @ is neutralised so a spreadsheet never runs it
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const REPORT_COLUMNS = [
  "group",
  "key",
  "activations",
  "confirmed",
  "unconfirmed_bodycams",
  "late_uploads",
  "still_uploading_after_24h",
  "uncategorised_over_7_days",
  "problem_events",
] as const;

export function reportCsv(rows: readonly ReportRow[]): string {
  const lines = [REPORT_COLUMNS.join(",")];
  for (const r of rows) {
    lines.push(
      [
        r.group,
        r.key,
        r.activations,
        r.confirmed,
        r.unconfirmedBodycams.map((b) => `${b.id}x${b.times}`).join(" "),
        r.lateUploads,
        r.stillUploading,
        r.uncategorisedOver7Days,
        r.problemEvents.join(" "),
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
