/** What a fleet sees of one latency: how many samples ever, and p50/p99/max of the most recent ones (ms). */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

const DEFAULT_CAPACITY = 512;

/**
 * The most recent latency samples (a ring of `capacity`), with exact percentiles over them on demand.
 * Recording is O(1) on the hot path; summarising sorts a copy and runs only when status is asked for.
 */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private total = 0;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.samples = new Float64Array(capacity);
  }

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    this.total++;
  }

  summary(): LatencySummary {
    const n = Math.min(this.total, this.samples.length);
    if (n === 0) return { count: 0, p50: null, p99: null, max: null };
    const sorted = this.samples.slice(0, n).sort();
    const at = (p: number) => round3(sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] ?? 0);
    return { count: this.total, p50: at(50), p99: at(99), max: round3(sorted[n - 1] ?? 0) };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
