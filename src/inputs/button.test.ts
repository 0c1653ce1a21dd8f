import { describe, expect, it } from "vitest";
import { ButtonPress } from "./button.js";

describe("ButtonPress", () => {
  it("a press released before longPressMs is short", () => {
    const b = new ButtonPress(2000);
    b.press(1000);
    expect(b.tick(2999)).toBeNull();
    expect(b.release(2999)).toBe("short");
    expect(b.pressed).toBe(false);
  });

  it("the long press fires once when the hold reaches longPressMs, and the release adds nothing", () => {
    const b = new ButtonPress(2000);
    b.press(1000);
    expect(b.longPressDue).toBe(3000);
    expect(b.tick(3000)).toBe("long");
    expect(b.tick(4000)).toBeNull();
    expect(b.longPressDue).toBeNull();
    expect(b.release(9000)).toBeNull();
  });

  it("a release at or after longPressMs without a tick is still a long press", () => {
    const b = new ButtonPress(2000);
    b.press(0);
    expect(b.release(2000)).toBe("long");
  });

  it("a release without a press does nothing; a new press re-arms the long press", () => {
    const b = new ButtonPress(500);
    expect(b.release(10)).toBeNull();
    b.press(100);
    expect(b.tick(600)).toBe("long");
    b.release(700);
    b.press(800);
    expect(b.longPressDue).toBe(1300);
  });
});
