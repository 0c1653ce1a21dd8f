import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNmeaSentence } from "../vehicle/nmea-parser.js";
import { PACKAGE_ROOT } from "./demo-config.js";
import { DEMO_TRACK_START, demoNmeaLines } from "./gps-demo-track.js";

const shipped = readFileSync(join(PACKAGE_ROOT, "config/demo-gps.nmea"), "latin1");

describe("the demo's synthetic GPS track", () => {
  it("is exactly what the generator produces (regenerate config/demo-gps.nmea after changing it)", () => {
    expect(shipped).toBe(`${demoNmeaLines().join("\r\n")}\r\n`);
  });

  it("is 60 one-second epochs of valid RMC, GGA and VTG", () => {
    const parsed = shipped
      .trimEnd()
      .split("\r\n")
      .map((l) => parseNmeaSentence(l));
    expect(parsed).toHaveLength(180);
    expect(parsed.every((p) => p.kind === "sentence")).toBe(true);
  });

  it("follows the demo drive: 140 km/h (75.6 kn) at 40 s, about 1068 m east after 59 s", () => {
    expect(shipped).toMatch(/\$GNRMC,100040\.00,A,[^,]+,N,[^,]+,W,75\.6,90\.0,261126,,,A\*/);
    expect(shipped).toContain("$GNVTG,90.0,T,,M,75.6,N,140.0,K,A*");
    const last = parseNmeaSentence(shipped.trimEnd().split("\r\n").at(-3) ?? "");
    expect(last.kind === "sentence" && last.sentence.type).toBe("RMC");
    if (last.kind !== "sentence" || last.sentence.type !== "RMC") return;
    // Distance by hand: 20 s at a mean 70 km/h, 10 s at 140, 14 s from 140 down to 9.33 (mean 74.67 km/h)
    // = 388.9 + 388.9 + 290.4 = 1068.1 m; one degree of longitude at 39.74° N is 111320·cos(39.74°) ≈ 85,614 m.
    const metresEast = ((last.sentence.lon ?? 0) - DEMO_TRACK_START.lon) * 85_614;
    expect(metresEast).toBeGreaterThan(1066);
    expect(metresEast).toBeLessThan(1070);
    expect(last.sentence.lat).toBeCloseTo(DEMO_TRACK_START.lat, 4);
  });
});
