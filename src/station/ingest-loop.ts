import type { Logger } from "../core/logger.js";

/** What a pass of the loop runs: the station's `Ingest`. */
export interface IngestPasses {
  scan(signal: AbortSignal): Promise<{ manifests: number; queued: number }>;
  drain(signal: AbortSignal): Promise<unknown>;
}

export interface IngestLoopOptions {
  /** A listing pass at most this often; jobs are drained on every pass. */
  scanEveryMs: number;
  log: Logger;
  /** The longest idle between passes (default 5 s). */
  maxIdleMs?: number;
}

/**
 * The station's ingest worker: on each pass a listing pass when one is due, then every ready job is
 * claimed and processed; between passes it idles until the next scan (at most `maxIdleMs`), woken early
 * by `kick()` (an upload announcement, a manual scan) or by the abort. A kick during a pass is kept, so
 * the next idle is skipped. Each idle removes what it added to the abort signal: a station running for
 * weeks would otherwise pile one listener per pass onto it (MaxListenersExceededWarning).
 */
export class IngestLoop {
  private wake: (() => void) | undefined;
  private kicked = false;
  /** Passes run since start (status, tests). */
  passes = 0;

  constructor(
    private readonly ingest: IngestPasses,
    private readonly o: IngestLoopOptions,
  ) {}

  kick(): void {
    if (this.wake) this.wake();
    else this.kicked = true;
  }

  async run(signal: AbortSignal): Promise<void> {
    let nextScan = 0;
    while (!signal.aborted) {
      try {
        if (Date.now() >= nextScan) {
          const r = await this.ingest.scan(signal);
          nextScan = Date.now() + this.o.scanEveryMs;
          if (r.queued > 0) this.o.log.info(r, "ingest: listing pass queued work");
        }
        await this.ingest.drain(signal);
      } catch (err) {
        if (!signal.aborted) this.o.log.error({ err: String(err) }, "ingest: pass failed; retrying");
      }
      this.passes += 1;
      await this.idle(Math.min(this.o.maxIdleMs ?? 5000, Math.max(0, nextScan - Date.now())), signal);
    }
  }

  private idle(ms: number, signal: AbortSignal): Promise<void> {
    if (this.kicked || signal.aborted) {
      this.kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
