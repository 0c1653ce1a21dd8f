/** The demo's key bindings, as a pure mapping from a key press to what the demo does. */
export type DemoAction =
  | { type: "lights" }
  | { type: "press"; long: boolean }
  | { type: "bodycam"; index: number }
  | { type: "quit" };

export function keyAction(key: string): DemoAction | null {
  switch (key) {
    case "l":
    case "L":
      return { type: "lights" };
    case "b":
      return { type: "press", long: false };
    case "B":
      return { type: "press", long: true };
    case "q":
    case "Q":
    case "\u0003": // Ctrl-C in raw mode
    case "\u0004": // Ctrl-D
      return { type: "quit" };
    default:
      return /^[1-9]$/.test(key) ? { type: "bodycam", index: Number(key) - 1 } : null;
  }
}

/** How long the demo holds the simulated button: a short press, or past the long-press threshold. */
export function pressHoldMs(long: boolean, longPressMs: number): number {
  return long ? longPressMs + 500 : 300;
}
