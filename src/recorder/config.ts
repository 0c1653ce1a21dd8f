import { z } from "zod";
import { identifier, millis, seconds, section } from "../config/describe.js";

const testInput = z
  .strictObject({
    type: z.literal("test"),
    pattern: z
      .enum(["testsrc2", "testsrc", "smptebars", "rgbtestsrc"])
      .default("testsrc2")
      .describe("ffmpeg lavfi video test source."),
    toneHz: z.number().int().min(20).max(20_000).default(1000).describe("Frequency of the test tone (Hz)."),
    burnClock: z
      .boolean()
      .default(false)
      .describe(
        "Burn the capture time into the picture as a machine-readable bar code (top twentieth), for measuring glass-to-glass latency.",
      ),
  })
  .describe("A synthetic camera (ffmpeg lavfi test pattern and tone), for the demo and tests.");

const rtspInput = z
  .strictObject({
    type: z.literal("rtsp"),
    url: z
      .string()
      .regex(/^rtsps?:\/\//, "expected an rtsp:// or rtsps:// URL")
      .describe("Stream URL; credentials in it are redacted from logs."),
    transport: z.enum(["tcp", "udp"]).default("tcp").describe("RTSP transport (TCP survives packet loss)."),
    timeoutSeconds: seconds(
      "Socket I/O timeout: ffmpeg exits (and is restarted) when the camera goes silent.",
      5,
      1,
      60,
    ),
  })
  .describe("An IP camera: its H.264/H.265 stream is copied, never re-encoded.");

const v4l2Input = z
  .strictObject({
    type: z.literal("v4l2"),
    device: z.string().default("/dev/video0").describe("Video4Linux device."),
    inputFormat: z
      .string()
      .regex(/^[a-z0-9_]+$/)
      .optional()
      .describe("Pixel/compressed format asked of the device (e.g. mjpeg, yuyv422)."),
    audioDevice: z
      .string()
      .optional()
      .describe("ALSA capture device for the camera's microphone (e.g. hw:1,0)."),
    encoder: z
      .string()
      .regex(/^[a-z0-9_]+$/)
      .default("libx264")
      .describe("H.264 encoder: libx264 (software) or a hardware one such as h264_v4l2m2m or h264_vaapi."),
  })
  .describe("A USB/CSI camera, encoded to H.264.");

const cameraSchema = z.strictObject({
  name: identifier(
    "Camera name: ring folder, file name in the event ({name}.mp4), health component recorder:{name}.",
  ),
  input: z
    .discriminatedUnion("type", [testInput, rtspInput, v4l2Input])
    .describe("Where the video comes from."),
  video: section("Encoding, for test and v4l2 inputs (rtsp streams are copied).", {
    width: z.number().int().min(16).max(3840).default(640).describe("Frame width (pixels)."),
    height: z.number().int().min(16).max(2160).default(360).describe("Frame height (pixels)."),
    fps: z.number().int().min(1).max(60).default(15).describe("Frames per second."),
    bitrateKbps: z
      .number()
      .int()
      .min(50)
      .max(50_000)
      .default(1000)
      .describe("Target video bitrate; also the storage estimate before a bitrate is measured."),
  }),
  audio: section("The camera's audio track.", {
    enabled: z.boolean().default(true).describe("Record audio (AAC)."),
    bitrateKbps: z.number().int().min(16).max(320).default(64).describe("AAC bitrate (encoded inputs)."),
  }),
  preview: section(
    "The live view on the status page: a small JPEG the camera's ffmpeg rewrites a few times a second (an extra low-resolution output of the same process, not a second encoder at full resolution).",
    {
      enabled: z
        .boolean()
        .optional()
        .describe(
          "Write `{dataDir}/ring/{camera}/preview.jpg`. Default: on for test and v4l2 cameras (their frames are decoded anyway), off for rtsp (it would decode the copied stream).",
        ),
      fps: z.number().min(0.5).max(10).default(2).describe("Preview pictures per second."),
      width: z
        .number()
        .int()
        .min(64)
        .max(1280)
        .default(320)
        .describe("Preview width (pixels; height keeps the aspect)."),
    },
  ),
});

export type CameraConfig = z.output<typeof cameraSchema>;

export const recorderConfigSchema = section("The dash recorder: cameras, segment ring, storage reserve.", {
  ffmpegPath: z.string().min(1).default("ffmpeg").describe("ffmpeg executable."),
  ffprobePath: z.string().min(1).default("ffprobe").describe("ffprobe executable."),
  segmentSeconds: z
    .number()
    .int()
    .min(1)
    .max(2)
    .default(1)
    .describe(
      "Length of ring segments (keyframe-aligned MPEG-TS); also the precision of the pre-event start.",
    ),
  cameras: z
    .array(cameraSchema)
    .default([])
    .refine((cams) => new Set(cams.map((c) => c.name)).size === cams.length, "camera names must be unique")
    .describe("Cameras, one supervised ffmpeg each."),
  preEventAudio: z
    .boolean()
    .default(false)
    .describe("Keep audio in the pre-event part of an event (default: muted, video only)."),
  ring: section("The always-on ring of segments in {dataDir}/ring/{camera}/.", {
    marginSeconds: seconds(
      "Footage kept beyond preEventSeconds, so an activation always finds it.",
      10,
      2,
      600,
    ),
    keepHours: z
      .number()
      .min(0)
      .max(72)
      .default(0)
      .describe(
        "Record-after-the-fact: hours of continuous footage kept (0 = off); `camsync event create` promotes it.",
      ),
  }),
  storage: section("The free-space reserve on the data disk.", {
    reserveMinutes: z
      .number()
      .min(0)
      .max(24 * 60)
      .default(60)
      .describe("Keep at least this many minutes of recording (at the measured bitrate) free."),
    minFreeBytes: z
      .number()
      .int()
      .min(0)
      .default(512 * 1024 * 1024)
      .describe("Lower bound of the reserve, in bytes."),
    checkIntervalSeconds: seconds("How often free space is checked and the ring trimmed.", 5, 1, 600),
  }),
  supervision: section("How ffmpeg is watched and restarted.", {
    stallSegments: z
      .number()
      .min(2)
      .max(20)
      .default(3)
      .describe("Restart ffmpeg when no segment completes within this many segment lengths."),
    startupTimeoutSeconds: seconds(
      "Time a freshly started ffmpeg has to complete its first segment.",
      10,
      2,
      120,
    ),
    backoffInitialMs: millis("Delay before the first restart after a failure.", 200, 0, 60_000),
    backoffMaxMs: millis("Longest delay between restarts.", 10_000, 100, 600_000),
    crashLoopLimit: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe(
        "Failures within crashLoopWindowSeconds that mark the camera down (restarts continue at backoffMaxMs).",
      ),
    crashLoopWindowSeconds: seconds("Window for counting failures.", 60, 5, 3600),
    stopTimeoutMs: millis(
      "After `q` on stdin, how long ffmpeg has before SIGINT, SIGTERM, SIGKILL.",
      3000,
      100,
      60_000,
    ),
  }),
  recovery: section("Events left open by a crash or power cut.", {
    resumeGraceSeconds: seconds(
      "After start, how long an unfinished event waits for the activation engine to resume it before it is assembled as interrupted.",
      10,
      0,
      600,
    ),
  }),
});

export type RecorderConfig = z.output<typeof recorderConfigSchema>;
