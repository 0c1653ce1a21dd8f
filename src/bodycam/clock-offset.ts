/**
 * A body cam's clock offset against the car's (the reference clock, which follows GPS/NTP): for every
 * message from the car carrying its `at`, offset ≤ camTimeOnReceipt − at (the message spent some time
 * in flight). The smallest sample is the best estimate; a retained message replayed long after it was
 * published only gives a larger sample, never a wrong smaller one.
 */
export class ClockOffsetEstimate {
  private best: number | null = null;

  /** One sample: the car's `at` (ISO) and the cam's clock when the message arrived (epoch ms). */
  sample(carAtIso: string, camNowMs: number): void {
    const carAt = Date.parse(carAtIso);
    if (!Number.isFinite(carAt)) return;
    const offset = camNowMs - carAt;
    if (Math.abs(offset) > 86_400_000) return; // not a clock offset: a stale or broken message
    if (this.best === null || offset < this.best) this.best = offset;
  }

  /** Cam clock minus car clock in ms (0 when there was no sample), and where it came from. */
  get value(): { clockOffsetMs: number; clockSource: "car" | "none" } {
    return this.best === null
      ? { clockOffsetMs: 0, clockSource: "none" }
      : { clockOffsetMs: Math.round(this.best), clockSource: "car" };
  }
}
