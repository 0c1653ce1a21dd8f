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

export function captureArgs(cam: CameraConfig, run: CaptureRun): string[] {
  return [
    ...["-hide_banner", "-loglevel", "warning", "-nostats"],
    ...inputArgs(cam),
    ...codecArgs(cam, run.segmentSeconds),
    ...["-f", "segment", "-segment_format", "mpegts", "-segment_time", String(run.segmentSeconds)],
    // Every packet reaches the file at once: a killed ffmpeg's last segment holds footage up to the kill.
    ...["-segment_format_options", "flush_packets=1"],
    ...["-segment_list", join(run.ringDir, segmentListName(run.run)), "-segment_list_type", "csv"],
    join(run.ringDir, `${run.run}-%06d.ts`),
  ];
}
