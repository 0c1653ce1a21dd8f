import type { Clock, TimerHandle } from "../../src/core/clock.js";

interface Pending {
  id: number;
  due: number;
  fn: () => void;
  every?: number;
}

/** A Clock for tests: time moves only when `advance` is called. */
export class FakeClock implements Clock {
  private wall: number;
  private mono = 0;
  private next = 1;
  private pending: Pending[] = [];

  constructor(startEpochMs = Date.UTC(2026, 10, 26, 14, 22, 33)) {
    this.wall = startEpochMs;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.next++;
    this.pending.push({ id, due: this.mono + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.pending = this.pending.filter((p) => p.id !== handle.id);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = this.next++;
    const every = Math.max(1, ms);
    this.pending.push({ id, due: this.mono + every, fn, every });
    return { id };
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  /** Number of timers waiting to fire. */
  get timerCount(): number {
    return this.pending.length;
  }

  /** Move time forward, firing due timers in order (timers scheduled meanwhile fire too). */
  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!due) break;
      this.wall += due.due - this.mono;
      this.mono = due.due;
      if (due.every !== undefined) due.due += due.every;
      else this.pending = this.pending.filter((p) => p !== due);
      due.fn();
    }
    this.wall += target - this.mono;
    this.mono = target;
  }
}
