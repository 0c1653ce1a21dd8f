import { describe, expect, it } from "vitest";
import { recorderConfigSchema } from "./config.js";

describe("recorder config", () => {
  it("defaults: 1 s segments, muted pre-event audio, an hour's reserve, no cameras", () => {
    const c = recorderConfigSchema.parse({});
    expect(c).toMatchObject({
      ffmpegPath: "ffmpeg",
      segmentSeconds: 1,
      preEventAudio: false,
      cameras: [],
      ring: { marginSeconds: 10, keepHours: 0 },
      storage: { reserveMinutes: 60 },
      supervision: { stallSegments: 3, crashLoopLimit: 5 },
    });
  });

  it("a camera gets encoding and audio defaults", () => {
    const c = recorderConfigSchema.parse({ cameras: [{ name: "front", input: { type: "test" } }] });
    expect(c.cameras[0]).toEqual({
      name: "front",
      input: { type: "test", pattern: "testsrc2", toneHz: 1000, burnClock: false },
      video: { width: 640, height: 360, fps: 15, bitrateKbps: 1000 },
      audio: { enabled: true, bitrateKbps: 64 },
      preview: { fps: 2, width: 320 },
    });
  });

  it.each([
    [
      "duplicate camera names",
      {
        cameras: [
          { name: "a", input: { type: "test" } },
          { name: "a", input: { type: "test" } },
        ],
      },
    ],
    ["a camera name unfit for paths", { cameras: [{ name: "../x", input: { type: "test" } }] }],
    [
      "an RTSP URL that is not rtsp://",
      { cameras: [{ name: "a", input: { type: "rtsp", url: "http://cam/x" } }] },
    ],
    ["an unknown input type", { cameras: [{ name: "a", input: { type: "hdmi" } }] }],
    ["segments longer than 2 s", { segmentSeconds: 4 }],
    ["an unknown key", { cameras: [], ringSize: 3 }],
  ])("rejects %s", (_name, input) => {
    expect(recorderConfigSchema.safeParse(input).success).toBe(false);
  });
});
