import { describe, expect, it } from "vitest";
import { sampleAt, type TelemetryInput, telemetryCues, toSrt, toWebVtt } from "./telemetry-track.js";

const T = Date.UTC(2026, 10, 26, 14, 22, 33); // a whole second
const input: TelemetryInput = {
  signals: [
    { atMs: T - 5000, name: "VehicleSpeed", value: 30 },
    { atMs: T - 5000, name: "LightBar", value: 0 },
    { atMs: T + 1500, name: "LightBar", value: 1 },
    { atMs: T + 1500, name: "Siren", value: "wail" },
  ],
  gps: [
    { atMs: T + 200, lat: 48.1, lon: 11.5, speedKmh: 52 },
    { atMs: T + 2100, lat: 48.2, lon: 11.6, speedKmh: null },
  ],
  decisions: [
    { atMs: T, type: "event-start", reason: "light bar on" },
    { atMs: T + 2500, type: "mark", reason: "mark" },
  ],
  officer: "D-0001",
};

describe("telemetry track", () => {
  it.each([
    // at, speed, lights, siren, lat, trigger
    [T - 1000, 30, "off", null, null, "event-start: light bar on"],
    [T, 30, "off", null, null, "event-start: light bar on"],
    [T + 1000, 52, "off", null, 48.1, "event-start: light bar on"],
    [T + 2000, 52, "ON", "wail", 48.1, "event-start: light bar on"],
    [T + 3000, 30, "ON", "wail", 48.2, "mark: mark"], // the fix has no speed: the CAN speed
    [T + 20_000, 30, "ON", "wail", null, "mark: mark"], // the fix is older than 10 s
  ])("samples the latest logged values at %i", (at, speed, lights, siren, lat, trigger) => {
    expect(sampleAt(input, at)).toMatchObject({
      speedKmh: speed,
      lights,
      siren,
      lat,
      trigger,
      officer: "D-0001",
    });
  });

  it("places one cue per wall-clock second in media time, across segments back to back and a gap", () => {
    const cues = telemetryCues(input, [
      { startMs: T - 500, durationMs: 1000 }, // media 0-1000: second T-1 (0-500), second T (500-1000)
      { startMs: T + 500, durationMs: 1000 }, // media 1000-2000: second T (1000-1500), T+1 (1500-2000)
      { startMs: T + 5000, durationMs: 1000 }, // after a gap: media 2000-3000, second T+5
    ]);
    expect(cues.map((c) => [c.startMs, c.endMs])).toEqual([
      [0, 500],
      [500, 1500],
      [1500, 2000],
      [2000, 3000],
    ]);
    expect(cues[1]?.text).toBe(
      "2026-11-26T14:22:33Z · 30 km/h · lights off · siren --\nGPS -- · event-start: light bar on · officer D-0001",
    );
    expect(cues[2]?.text).toContain("52 km/h");
    expect(toWebVtt(cues)).toContain("00:00:00.500 --> 00:00:01.500\n2026-11-26T14:22:33Z");
    expect(toSrt(cues)).toContain("2\n00:00:00,500 --> 00:00:01,500\n");
  });
});
