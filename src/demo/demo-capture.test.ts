import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCandumpLine } from "../vehicle/candump-line.js";
import { demoCaptureLines, demoLightsByte, demoSpeedKmh } from "./demo-capture.js";
import { PACKAGE_ROOT } from "./demo-config.js";

const shipped = readFileSync(join(PACKAGE_ROOT, "config/demo-can.candump"), "utf8");

describe("the demo's synthetic CAN capture", () => {
  it("is exactly what the generator produces (regenerate the file after changing it)", () => {
    expect(shipped).toBe(`${demoCaptureLines().join("\n")}\n`);
  });

  it("encodes speed and lights as documented (checked by hand: 0.01 km/h little-endian, bit 0 = lights)", () => {
    // 33.3 s: (33.3 - 15) / 20 × 140 = 128.1 km/h = 12810 = 0x320A → bytes 0A 32
    expect(shipped).toContain("(1795700033.300000) can0 0D1#0A32000000000000\n");
    // 40 s: 140 km/h = 14000 = 0x36B0 → bytes B0 36; lights at 40 s: emergency + headlights = 0x03
    expect(shipped).toContain("(1795700040.000000) can0 0D1#B036000000000000\n");
    expect(shipped).toContain("(1795700040.004000) can0 3B3#03000000\n");
    // 10 s: stopped, headlights only
    expect(shipped).toContain("(1795700010.004000) can0 3B3#02000000\n");
  });

  it("parses as candump -L, one minute long, and passes 120 km/h with the lights on", () => {
    const frames = shipped
      .trimEnd()
      .split("\n")
      .map((l) => parseCandumpLine(l));
    expect(frames.every((f) => f.kind === "frame")).toBe(true);
    expect(frames).toHaveLength(900);
    expect(Math.max(...Array.from({ length: 600 }, (_, i) => demoSpeedKmh(i / 10)))).toBe(140);
    expect(demoSpeedKmh(30)).toBeGreaterThan(100);
    expect(demoSpeedKmh(59.9)).toBeLessThan(1);
    expect(demoLightsByte(30) & 1).toBe(1);
    expect(demoLightsByte(5) & 1).toBe(0);
  });
});
