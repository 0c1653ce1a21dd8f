/**
 * Where the time goes on the trigger → body-cam path, stage by stage: a monotonic timestamp (ms,
 * sub-microsecond resolution) at each stage of the latest trigger, for `npm run bench` and for diagnosing a
 * car. Off by default (one boolean test per mark); the daemon enables it with CAMSYNC_TRACE_STAGES=1 and
 * then logs one `trigger path stages` line per published activation.
 *
 * The stages, in order: `read` (the serial line woke up and the chunk was read), `parsed` (SLCAN lines
 * parsed into frames), `ruled` (frames decoded, rules evaluated, trigger about to go on the bus), `engine`
 * (the activation engine decided), `published` (the activation handed to the MQTT socket; the outbox entry
 * and the engine's snapshot are appended after it). A trigger from another source (GPIO, a body cam, the
 * CLI) has no `read`/`parsed` marks.
 */
export const STAGES = ["read", "parsed", "ruled", "engine", "published"] as const;
export type Stage = (typeof STAGES)[number];

export class StageTrace {
  private readonly marks = new Float64Array(STAGES.length).fill(Number.NaN);

  constructor(public enabled: boolean) {}

  /** The first stage of a new trigger path: forgets the previous marks. */
  begin(stage: Stage): void {
    if (!this.enabled) return;
    this.marks.fill(Number.NaN);
    this.marks[STAGES.indexOf(stage)] = performance.now();
  }

  mark(stage: Stage): void {
    if (this.enabled) this.marks[STAGES.indexOf(stage)] = performance.now();
  }

  /**
   * The marks of the path that just ended (ms since the first one, rounded to µs) and when the first one
   * was taken (`startedAt`, ms since the epoch with µs resolution: comparable with another process's
   * `performance.timeOrigin + performance.now()`), then forgets them; null when tracing is off or nothing
   * was marked.
   */
  take(): { stages: Partial<Record<Stage, number>>; startedAt: number } | null {
    if (!this.enabled) return null;
    let first = Number.NaN;
    for (const t of this.marks) if (!Number.isNaN(t)) first = Number.isNaN(first) ? t : Math.min(first, t);
    if (Number.isNaN(first)) return null;
    const out: Partial<Record<Stage, number>> = {};
    STAGES.forEach((stage, i) => {
      const t = this.marks[i] ?? Number.NaN;
      if (!Number.isNaN(t)) out[stage] = Math.round((t - first) * 1000) / 1000;
    });
    this.marks.fill(Number.NaN);
    return { stages: out, startedAt: Math.round((performance.timeOrigin + first) * 1000) / 1000 };
  }
}

/** The process's trace of the trigger path (a probe, like a counter: one per process). */
export const stageTrace = new StageTrace(process.env.CAMSYNC_TRACE_STAGES === "1");
