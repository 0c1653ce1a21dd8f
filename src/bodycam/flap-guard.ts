import type { Clock, TimerHandle } from "../core/clock.js";
import type { Trigger } from "../core/trigger.js";

/**
 * A flapping body cam (a loose button, a broken firmware, a hostile peer holding a cam's identity)
 * must not make the daemon fsync without bound: every trigger edge it causes becomes a decision
 * (state file, audit entry, event journal, outbox). Pure, injected time.
 *
 * Per cam, the first `maxEdges` trigger edges of a window pass. After that the cam is flapping and
 * its edges are held, except what is evidence: a start while the car is idle (it starts recording)
 * or in post-roll (it keeps recording) always passes. At the window's end (`flush`) the cam's latest
 * state is delivered if it differs from the last one passed, with how many edges were held, from
 * when to when, for one summary alert. What is lost: only the timeline detail of repeated joins and
 * clears while the car was recording anyway.
 */
export interface FlapSummary {
  id: string;
  held: number;
  /** Epoch ms of the first and last held edge. */
  from: number;
  to: number;
  /** The cam's latest trigger state, when it differs from the last one passed (else null). */
  deliver: boolean | null;
}

interface CamWindow {
  start: number;
  passed: number;
  lastPassed: boolean | null;
  held: number;
  lastHeld: boolean;
  from: number;
  to: number;
}

export type CarState = "idle" | "active" | "post-roll";

export class FlapGuard {
  private readonly cams = new Map<string, CamWindow>();

  constructor(
    readonly maxEdges = 6,
    readonly windowMs = 10_000,
  ) {}

  /** Whether this edge of cam `id` goes to the activation engine now. */
  admit(id: string, active: boolean, now: number, car: CarState): boolean {
    let w = this.cams.get(id);
    if (!w || now - w.start >= this.windowMs) {
      if (w && w.held > 0) return this.holdAcrossWindows(w, active, now, car);
      w = { start: now, passed: 0, lastPassed: null, held: 0, lastHeld: false, from: 0, to: 0 };
      this.cams.set(id, w);
    }
    if (w.passed < this.maxEdges || (active && car !== "active")) {
      w.passed += 1;
      w.lastPassed = active;
      return true;
    }
    if (w.held === 0) w.from = now;
    w.held += 1;
    w.lastHeld = active;
    w.to = now;
    return false;
  }

  /** A window with held edges stays open until flushed (its summary must not be lost). */
  private holdAcrossWindows(w: CamWindow, active: boolean, now: number, car: CarState): boolean {
    if (active && car !== "active") {
      w.lastPassed = active;
      return true;
    }
    w.held += 1;
    w.lastHeld = active;
    w.to = now;
    return false;
  }

  get holding(): boolean {
    for (const w of this.cams.values()) if (w.held > 0) return true;
    return false;
  }

  /** Summaries of the cams with held edges (all of them: called at a window's end or at stop); resets them. */
  flush(): FlapSummary[] {
    const out: FlapSummary[] = [];
    for (const [id, w] of this.cams) {
      if (w.held === 0) continue;
      const deliver = w.lastHeld !== w.lastPassed ? w.lastHeld : null;
      out.push({ id, held: w.held, from: w.from, to: w.to, deliver });
      this.cams.delete(id);
    }
    return out;
  }
}

/**
 * The guard in the body-cam sync: body-cam triggers go through `pass`; held edges are summarised at
 * the window's end (the latest state delivered, one `bodycam-flapping` alert per cam) and at stop.
 */
export class FlapGate {
  private timer: TimerHandle | undefined;

  constructor(
    private readonly o: {
      clock: Clock;
      carState: () => CarState;
      emit: (t: Trigger) => void;
      alert: (message: string, device: string) => void;
      guard?: FlapGuard;
    },
    private readonly guard = o.guard ?? new FlapGuard(),
  ) {}

  pass(t: Trigger): void {
    const { clock } = this.o;
    if (this.guard.admit(t.origin.id, t.active, clock.now(), this.o.carState())) {
      this.o.emit(t);
      return;
    }
    this.timer ??= clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.guard.windowMs);
  }

  stop(): void {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private flush(): void {
    const now = this.o.clock.now();
    for (const s of this.guard.flush()) {
      if (s.deliver !== null) {
        this.o.emit({
          origin: { kind: "bodycam", id: s.id },
          active: s.deliver,
          at: now,
          reason: `body cam ${s.id} ${s.deliver ? "recording" : "stopped"} (latest of its flapping changes)`,
        });
      }
      const seconds = Math.max(1, Math.round((s.to - s.from) / 1000));
      this.o.alert(
        `body cam ${s.id} is flapping: ${s.held} trigger changes within ${seconds} s coalesced (latest: ${s.deliver === null ? "unchanged" : s.deliver ? "recording" : "stopped"})`,
        s.id,
      );
    }
  }
}
