import type { AuditAppender } from "../evidence/audit-log.js";

/**
 * Chain of custody for viewing: every playback of an event file is one `event-viewed` audit entry (who,
 * which file; the entry's `at` is when), written through the daemon's one audit writer.
 *
 * A player fetches one playback as many requests (Range requests while it buffers and seeks, an HLS
 * playlist reloaded every few seconds), so requests are de-duplicated: a request for the same file of the
 * same event by the same page session (the page's `viewer` parameter; the client address without one)
 * within `windowMs` of the previous request of that key is the same playback (default 10 minutes, sliding).
 * A playback paused and resumed after more than the window is recorded again.
 */
export interface ViewRequest {
  eventId: string;
  file: string;
  session: string | null;
  client: string;
  officer: string | null;
}

export class ViewAudit {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly audit: AuditAppender | undefined,
    private readonly monotonic: () => number,
    private readonly windowMs = 10 * 60_000,
  ) {}

  /** Records the view unless it continues a recorded playback; returns whether an entry was written. */
  viewed(v: ViewRequest): boolean {
    const key = `${v.session ?? v.client}\u0000${v.eventId}\u0000${v.file}`;
    const now = this.monotonic();
    const prev = this.last.get(key);
    if (prev !== undefined && now - prev < this.windowMs) {
      this.last.set(key, now);
      return false;
    }
    if (this.last.size > 1000) this.prune(now);
    // Throws when the entry cannot be written: the caller refuses the view (nothing watched unrecorded).
    this.audit?.append("event-viewed", {
      eventId: v.eventId,
      file: v.file,
      by: v.officer ?? "status-page",
      officer: v.officer,
      via: "status-page",
      client: v.client,
      session: v.session,
    });
    this.last.set(key, now);
    return true;
  }

  private prune(now: number): void {
    for (const [k, at] of this.last) if (now - at >= this.windowMs) this.last.delete(k);
  }
}
