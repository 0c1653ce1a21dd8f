/**
 * At most `concurrent` password hashes at once, `queued` more waiting; beyond that a sign-in is turned
 * away at once. Each scrypt hash takes ~32 MiB and tens of milliseconds of a core, so a flood of
 * sign-ins (valid names or not) must queue here, not in libuv's thread pool where it would starve the
 * station's own file and crypto work and grow its memory without bound.
 */
export class GateFullError extends Error {
  override name = "GateFullError";
}

export class PasswordGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrent = 2,
    private readonly queued = 32,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrent) {
      if (this.waiting.length >= this.queued) throw new GateFullError("too many sign-ins at once");
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
