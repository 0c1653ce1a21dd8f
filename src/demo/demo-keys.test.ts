import { describe, expect, it } from "vitest";
import { keyAction, pressHoldMs } from "./demo-keys.js";

describe("demo keys", () => {
  it.each([
    ["l", { type: "lights" }],
    ["b", { type: "press", long: false }],
    ["B", { type: "press", long: true }],
    ["1", { type: "bodycam", index: 0 }],
    ["2", { type: "bodycam", index: 1 }],
    ["q", { type: "quit" }],
    ["\u0003", { type: "quit" }],
    ["x", null],
    ["0", null],
    ["\n", null],
  ])("%j → %j", (key, action) => {
    expect(keyAction(key)).toEqual(action);
  });

  it("holds a long press past the button's long-press threshold, a short one well under it", () => {
    expect(pressHoldMs(true, 2000)).toBeGreaterThan(2000);
    expect(pressHoldMs(false, 2000)).toBeLessThan(2000);
  });
});
