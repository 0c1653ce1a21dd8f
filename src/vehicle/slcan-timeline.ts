/**
 * Turns SLCAN device timestamps (milliseconds within the minute, 0–59999, wrapping every 60 s) into epoch time.
 *
 * The device's timestamps are unwrapped into a running millisecond count; epoch time is that count plus an
 * offset kept at the smallest `host reception time − device time` seen so far (a frame can never arrive
 * before it happened, so the smallest difference is the best estimate of the transfer latency). This keeps
 * the adapter's own spacing between frames that arrive in one USB read. A gap of more than a minute loses
 * the wrap count, and the device clock may run slow: whenever device-derived time lags host time by more
 * than `maxLagMs`, the timeline re-anchors to host time.
 */
export class SlcanTimeline {
  private offsetMs = 0;
  private lastDeviceMs = -1;
  private unwrappedMs = 0;
  /** How many times the timeline was re-anchored to host time (after the first). */
  reanchors = 0;

  constructor(private readonly maxLagMs = 1000) {}

  /** `deviceMs` is the frame's 4-hex-digit timestamp; `hostEpochSeconds` when its read arrived. */
  toEpochSeconds(deviceMs: number, hostEpochSeconds: number): number {
    const hostMs = hostEpochSeconds * 1000;
    if (this.lastDeviceMs < 0) {
      this.unwrappedMs = 0;
      this.offsetMs = hostMs;
    } else {
      this.unwrappedMs += (deviceMs - this.lastDeviceMs + 60_000) % 60_000;
      this.offsetMs = Math.min(this.offsetMs, hostMs - this.unwrappedMs);
    }
    this.lastDeviceMs = deviceMs;
    const t = this.unwrappedMs + this.offsetMs;
    if (t < hostMs - this.maxLagMs) {
      this.reanchors++;
      this.offsetMs = hostMs - this.unwrappedMs;
      return hostEpochSeconds;
    }
    return t / 1000;
  }

  /** Start afresh (after a reconnect the adapter's clock may have restarted). */
  reset(): void {
    this.lastDeviceMs = -1;
  }
}
