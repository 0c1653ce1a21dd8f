import { join } from "node:path";
import type { CameraConfig } from "./config.js";

/**
 * The ffmpeg argument list for one camera's capture run: input (test pattern, RTSP copy or V4L2 encode)
 * and output (keyframe-aligned MPEG-TS segments plus a CSV segment list that ffmpeg appends to as each
 * segment completes). Pure: no I/O, table-tested.
 */

export interface CaptureRun {
  /** `{dataDir}/ring/{camera}` */
  ringDir: string;
  /** Names this run's files: `{run}-000000.ts` …, list `{run}.csv`. Sortable by time. */
  run: string;
  segmentSeconds: number;
}

/** A run id from the start time: `20261126T142233123` (UTC, ms), sortable. */
export function runIdFor(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:.Z]/g, "");
}

export const segmentListName = (run: string) => `${run}.csv`;
export const SEGMENT_PATTERN = /^(\d{8}T\d{9})-(\d{6})\.ts$/;

function inputArgs(cam: CameraConfig): string[] {
  const { video } = cam;
  const input = cam.input;
  switch (input.type) {
    case "test": {
      const args = [
        "-re",
        "-f",
        "lavfi",
        "-i",
        `${input.pattern}=size=${video.width}x${video.height}:rate=${video.fps}`,
      ];
      if (cam.audio.enabled)
        args.push("-re", "-f", "lavfi", "-i", `sine=frequency=${input.toneHz}:sample_rate=48000`);
      return args;
    }
    case "rtsp":
      return [
        ...["-rtsp_transport", input.transport, "-timeout", String(Math.round(input.timeoutSeconds * 1e6))],
        ...["-fflags", "+genpts", "-i", input.url],
      ];
    case "v4l2": {
      const args = ["-f", "v4l2"];
      if (input.inputFormat) args.push("-input_format", input.inputFormat);
      args.push(
        "-video_size",
        `${video.width}x${video.height}`,
        "-framerate",
        String(video.fps),
        "-i",
        input.device,
      );
      if (cam.audio.enabled && input.audioDevice) args.push("-f", "alsa", "-i", input.audioDevice);
      return args;
    }
  }
}

function hasSeparateAudioInput(cam: CameraConfig): boolean {
  if (!cam.audio.enabled) return false;
  return cam.input.type === "test" || (cam.input.type === "v4l2" && cam.input.audioDevice !== undefined);
}

function codecArgs(cam: CameraConfig, segmentSeconds: number): string[] {
  if (cam.input.type === "rtsp") {
    // Stream copy: segments cut at the camera's own keyframes (set its GOP to the segment length).
    return ["-map", "0:v:0", ...(cam.audio.enabled ? ["-map", "0:a:0?"] : []), "-c", "copy"];
  }
  const { fps, bitrateKbps } = cam.video;
  const gop = Math.max(1, Math.round(fps * segmentSeconds));
  const encoder = cam.input.type === "v4l2" ? cam.input.encoder : "libx264";
  const args = ["-map", "0:v:0", "-c:v", encoder];
  if (encoder === "libx264") args.push("-preset", "ultrafast", "-tune", "zerolatency");
  args.push(
    ...[
      "-pix_fmt",
      "yuv420p",
      "-b:v",
      `${bitrateKbps}k`,
      "-maxrate",
      `${bitrateKbps}k`,
      "-bufsize",
      `${bitrateKbps * 2}k`,
    ],
    ...["-g", String(gop), "-keyint_min", String(gop), "-sc_threshold", "0"],
    ...["-force_key_frames", `expr:gte(t,n_forced*${segmentSeconds})`],
  );
  if (hasSeparateAudioInput(cam)) {
    args.push(
      "-map",
      "1:a:0",
      "-c:a",
      "aac",
      "-b:a",
      `${cam.audio.bitrateKbps}k`,
      "-ac",
      "1",
      "-ar",
      "48000",
    );
  }
  return args;
}

/** Bits of the burned clock: centiseconds modulo 2^20 (wraps every 2.9 h). */
export const CLOCK_BITS = 20;

/**
 * The test pattern's burned clock: the top twentieth becomes CLOCK_BITS blocks (bit 0 leftmost, white = 1)
 * encoding `floor(capture time in ms / 10) mod 2^20`, the capture time being this run's start plus the
 * frame's time. `-re` paces frames from when ffmpeg starts reading, a little after the run's start, so a
 * latency measured against it is an upper bound.
 */
function clockFilter(cam: CameraConfig, run: CaptureRun): string | null {
  if (cam.input.type !== "test" || !cam.input.burnClock) return null;
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})$/.exec(run.run);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, ms] = m.map(Number) as number[];
  const epoch = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h, mi, sec, ms);
  // drawbox only touches its own box (cheap, unlike a per-pixel expression over the frame); `enable` is
  // evaluated once per frame: box b is white when bit b of the value is set.
  const value = `mod(floor((${epoch}+t*1000)/10),${2 ** CLOCK_BITS})`;
  const box = (x: string, color: string) =>
    `drawbox=x=${x}:y=0:w=iw/${CLOCK_BITS}+1:h=ih/20:color=${color}:t=fill`;
  const bits = Array.from(
    { length: CLOCK_BITS },
    (_, b) => `${box(`iw*${b}/${CLOCK_BITS}`, "white")}:enable='mod(floor(${value}/${2 ** b}),2)'`,
  );
  return [`drawbox=x=0:y=0:w=iw:h=ih/20:color=black:t=fill`, ...bits].join(",");
}

export const PREVIEW_FILE = "preview.jpg";

/**
 * The live view's picture: a second, low-rate, low-resolution output of the same ffmpeg (MJPEG, rewritten
 * atomically in place), so checking a camera's aim costs no second capture and no full-resolution encoder.
 */
function previewOutput(cam: CameraConfig, run: CaptureRun, clock: string | null): string[] {
  if (!(cam.preview.enabled ?? cam.input.type !== "rtsp")) return [];
  const filters = [
    `fps=${cam.preview.fps}`,
    ...(clock ? [clock] : []),
    `scale=${cam.preview.width}:-2`,
    "format=yuvj420p",
  ];
  return [
    ...["-map", "0:v:0", "-vf", filters.join(","), "-c:v", "mjpeg", "-q:v", "6"],
    ...["-f", "image2", "-update", "1", "-atomic_writing", "1", join(run.ringDir, PREVIEW_FILE)],
  ];
}

export function captureArgs(cam: CameraConfig, run: CaptureRun): string[] {
  const clock = clockFilter(cam, run);
  const preview = previewOutput(cam, run, clock);
  return [
    ...["-hide_banner", "-loglevel", "warning", "-nostats"],
    // the preview picture of the previous run is replaced (segments and lists have new names every run)
    ...(preview.length > 0 ? ["-y"] : []),
    ...inputArgs(cam),
    ...codecArgs(cam, run.segmentSeconds),
    ...(clock ? ["-vf", clock] : []),
    ...["-f", "segment", "-segment_format", "mpegts", "-segment_time", String(run.segmentSeconds)],
    // Every packet reaches the file at once: a killed ffmpeg's last segment holds footage up to the kill.
    ...["-segment_format_options", "flush_packets=1"],
    ...["-segment_list", join(run.ringDir, segmentListName(run.run)), "-segment_list_type", "csv"],
    join(run.ringDir, `${run.run}-%06d.ts`),
    ...preview,
  ];
}
