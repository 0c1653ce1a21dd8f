/**
 * Keeps an alert flood (a misbehaving device, a hostile client) from turning the audit log's fsync per
 * entry into a stall of the daemon: per alert code, at most `maxPerWindow` alerts are written per
 * window; the rest are counted and written as one `alerts-suppressed` summary when the window ends.
 * Nothing is lost from the record: how many, of which code, between when. Pure (injected time).
 */
export interface SuppressedAlerts {
  code: string;
  count: number;
  /** Epoch ms of the first and last suppressed alert. */
  from: number;
  to: number;
}

interface Window {
  start: number;
  written: number;
  suppressed: number;
  from: number;
  to: number;
}

export class AlertFloodGuard {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly maxPerWindow = 10,
    private readonly windowMs = 60_000,
  ) {}

  /** Whether this alert is written; summaries of windows that ended come back to be written first. */
  admit(code: string, now: number): { write: boolean; summaries: SuppressedAlerts[] } {
    const summaries = this.flush(now);
    let w = this.windows.get(code);
    if (!w) {
      w = { start: now, written: 0, suppressed: 0, from: 0, to: 0 };
      this.windows.set(code, w);
    }
    if (w.written < this.maxPerWindow) {
      w.written += 1;
      return { write: true, summaries };
    }
    if (w.suppressed === 0) w.from = now;
    w.suppressed += 1;
    w.to = now;
    return { write: false, summaries };
  }

  /** Summaries of every window that has ended (or of all windows, with `all`, e.g. at stop). */
  flush(now: number, all = false): SuppressedAlerts[] {
    const out: SuppressedAlerts[] = [];
    for (const [code, w] of this.windows) {
      if (!all && now - w.start < this.windowMs) continue;
      if (w.suppressed > 0) out.push({ code, count: w.suppressed, from: w.from, to: w.to });
      this.windows.delete(code);
    }
    return out;
  }
}
