/**
 * Bounds what guessing share-link tokens can make the station write. Every refusal is still refused
 * (403 or 429), but only the first `perWindow` forged tokens in a window get an audit entry each; the
 * rest are counted and written as one summary entry (`share-refusals-throttled`) when the next window
 * opens, at the next retention sweep, or at stop. Revoked and expired links name a real link and are
 * always audited one by one (guessing cannot reach them).
 */
export interface ThrottleSummary {
  suppressed: number;
  from: string;
  to: string;
}

export class RefusalThrottle {
  private windowStart = Number.NEGATIVE_INFINITY;
  private admitted = 0;
  private suppressed = 0;
  private lastSuppressedAt = 0;
  private suppressedFrom = 0;

  constructor(
    private readonly now: () => number,
    private readonly onSummary: (s: ThrottleSummary) => Promise<void>,
    readonly perWindow = 20,
    readonly windowMs = 60_000,
  ) {}

  /** true: audit this refusal; false: over the limit, counted for the summary. */
  async admit(): Promise<boolean> {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      await this.flush();
      this.windowStart = t;
      this.admitted = 0;
    }
    if (this.admitted < this.perWindow) {
      this.admitted++;
      return true;
    }
    if (this.suppressed === 0) this.suppressedFrom = t;
    this.suppressed++;
    this.lastSuppressedAt = t;
    return false;
  }

  /** Seconds until the window opens again (for Retry-After). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.windowStart + this.windowMs - this.now()) / 1000));
  }

  /** Write the summary of what was suppressed, if anything. */
  async flush(): Promise<void> {
    if (this.suppressed === 0) return;
    const s = {
      suppressed: this.suppressed,
      from: new Date(this.suppressedFrom).toISOString(),
      to: new Date(this.lastSuppressedAt).toISOString(),
    };
    this.suppressed = 0;
    await this.onSummary(s);
  }
}
