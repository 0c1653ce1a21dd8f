/**
 * The in-car button (pure): a short press (released before `longPressMs`) starts an event, or
 * bookmarks the running one (the activation engine decides which); holding it for `longPressMs`
 * is a manual stop, fired when the hold reaches `longPressMs`, not at release.
 * Times are monotonic ms of the debounced press and release (when the contact physically changed).
 */
export type ButtonAction = "short" | "long";

export class ButtonPress {
  private pressedAt: number | null = null;
  private longFired = false;

  constructor(private readonly longPressMs: number) {}

  get pressed(): boolean {
    return this.pressedAt !== null;
  }

  press(at: number): void {
    this.pressedAt = at;
    this.longFired = false;
  }

  /** Released: a short press, or nothing when the long press already fired (or it was never pressed). */
  release(at: number): ButtonAction | null {
    const pressedAt = this.pressedAt;
    this.pressedAt = null;
    if (pressedAt === null || this.longFired) return null;
    return at - pressedAt >= this.longPressMs ? "long" : "short";
  }

  /** When the long press fires (monotonic ms), or null. */
  get longPressDue(): number | null {
    return this.pressedAt === null || this.longFired ? null : this.pressedAt + this.longPressMs;
  }

  /** At `now`: the long press, once, when the hold has reached longPressMs. */
  tick(now: number): ButtonAction | null {
    const due = this.longPressDue;
    if (due === null || now < due) return null;
    this.longFired = true;
    return "long";
  }
}
