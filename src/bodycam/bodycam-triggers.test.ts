import { describe, expect, it } from "vitest";
import { BodycamTriggers } from "./bodycam-triggers.js";

const AT1 = "2026-11-26T14:22:33.100Z";
const AT2 = "2026-11-26T14:25:00.000Z";

describe("BodycamTriggers (a cam's own start/stop → engine triggers)", () => {
  it("asserts once per start, ignores duplicates, clears on stop, and re-asserts on the next start", () => {
    const t = new BodycamTriggers();
    const steps: [string, boolean | null][] = [];
    const on = (active: boolean, at: string) =>
      steps.push([`act ${active}`, t.onActivation("bc1", active, at, 0)?.active ?? null]);
    on(true, AT1);
    on(true, AT1); // QoS 1 redelivery
    on(true, "2026-11-26T14:22:34.000Z"); // pressed again while asserted
    on(false, AT2);
    on(false, AT2);
    on(true, "2026-11-26T14:30:00.000Z");
    expect(steps.map((s) => s[1])).toEqual([true, null, null, false, null, true]);
    expect(t.duplicates).toBe(3);
  });

  it("clears when the cam's status says it stopped recording or went offline, only if asserted", () => {
    const t = new BodycamTriggers();
    expect(t.onStatus("bc1", true, false, 0)).toBeNull();
    t.onActivation("bc1", true, AT1, 0);
    expect(t.onStatus("bc1", true, true, 0)).toBeNull();
    expect(t.onStatus("bc1", false, false, 5)).toEqual({
      origin: { kind: "bodycam", id: "bc1" },
      active: false,
      at: 5,
      reason: "body cam bc1 went offline",
    });
    expect(t.onStatus("bc1", false, false, 6)).toBeNull();
    expect(t.onActivation("bc1", true, AT2, 7)?.active).toBe(true);
  });
});
