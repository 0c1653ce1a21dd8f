import type { Level } from "./digital-line.js";

export interface DebouncedChange {
  level: Level;
  /** When the line first showed this level (monotonic ms): the physical moment of the change. */
  since: number;
}

/**
 * Level-stable debounce (pure): a new level counts only once the line has shown it, without going
 * back, for `debounceMs`. Edges and periodic reads are both samples; `settle` is asked at the due
 * time with a fresh read of the line, so a level that went away without an edge is not committed.
 */
export class Debouncer {
  private candidate: Level;
  private since: number;

  constructor(
    private readonly debounceMs: number,
    private committed: Level,
    now: number,
  ) {
    this.candidate = committed;
    this.since = now;
  }

  /** The debounced level. */
  get level(): Level {
    return this.committed;
  }

  /** When a pending change may be committed (monotonic ms), or null when the line agrees with `level`. */
  get due(): number | null {
    return this.candidate === this.committed ? null : this.since + this.debounceMs;
  }

  /** The line showed `level` at `now` (an edge or a read). Returns `due`. */
  sample(level: Level, now: number): number | null {
    if (level !== this.candidate) {
      this.candidate = level;
      this.since = now;
    }
    return this.due;
  }

  /** The line reads `level` at `now`: commit the pending level if it has held for debounceMs. */
  settle(level: Level, now: number): DebouncedChange | null {
    this.sample(level, now);
    if (this.candidate === this.committed || now - this.since < this.debounceMs) return null;
    this.committed = this.candidate;
    return { level: this.committed, since: this.since };
  }
}
