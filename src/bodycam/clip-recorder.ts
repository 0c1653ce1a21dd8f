import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type Clock, isoTime, systemClock } from "../core/clock.js";
import {
  type CaptureLauncher,
  type CaptureProcess,
  FfmpegError,
  launchCapture,
  probeDuration,
  runTool,
} from "../recorder/ffmpeg-process.js";
import { writeJsonAtomicSync } from "../storage/atomic-file.js";
import { sha256File } from "../storage/sha256.js";
import { CLIP_MANIFEST_FILE, type ClipManifest, makeClipId } from "./clip-manifest.js";
import { ClockOffsetEstimate } from "./clock-offset.js";

/**
 * A body cam's recording: while the cam records, one ffmpeg makes a test-pattern clip with the cam's id
 * and its clock's time burned in. It writes MPEG-TS (a killed recording keeps every frame written), and
 * when the recording ends the clip is remuxed (stream copy) into `clip.mp4`, hashed and described by
 * `manifest.json` (contract v1, docs/protocol.md). A clip left unfinished by a crash is finished by
 * `recover()` at the next start. Layout: `{dir}/{clipId}/clip.mp4 + manifest.json`.
 */
export interface ClipRecorderOptions {
  camId: string;
  /** Clips root (one directory per clip). */
  dir: string;
  officer?: string | null;
  vehicleId?: string | null;
  clock?: Clock;
  ffmpegPath?: string;
  ffprobePath?: string;
  video?: { width: number; height: number; fps: number };
  /** TrueType font for the burned-in text; default: the first of FONT_CANDIDATES that exists. */
  fontFile?: string;
  software?: { name: string; version: string };
  launch?: CaptureLauncher;
}

export const FONT_CANDIDATES = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
  "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
  "/System/Library/Fonts/Menlo.ttc",
];

/** The MPEG-TS ffmpeg writes while a clip records, in the clip's directory. */
export const CAPTURE_FILE = "clip.ts";
const CLIP_FILE = "clip.mp4";
/** The in-progress record of a clip (removed once its manifest exists). */
const PENDING_FILE = ".clip.json";
const STOP_GRACE_MS = 3000;
/** A car-clock sample taken this shortly before a clip starts also counts for that clip. */
const SAMPLE_CARRY_MS = 10_000;

const pendingSchema = z.object({
  clipId: z.string(),
  camId: z.string(),
  officer: z.string().nullable(),
  vehicleId: z.string().nullable(),
  eventId: z.string().nullable(),
  startedAt: z.string(),
  clockOffsetMs: z.number(),
  clockSource: z.enum(["car", "ntp", "none"]),
});
type Pending = z.infer<typeof pendingSchema>;

/** The first font file that exists, or null (drawtext then asks fontconfig for its default). */
export function findFont(candidates: readonly string[] = FONT_CANDIDATES): string | null {
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Escape a value for a filtergraph option inside '…' (drawtext text, font path). */
const filterQuote = (s: string) => s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/:/g, "\\:");

/** ffmpeg arguments of a clip: test pattern, cam id and the cam's time (from `startEpochMs`) burned in. */
export function clipCaptureArgs(opts: {
  camId: string;
  startEpochMs: number;
  video: { width: number; height: number; fps: number };
  fontFile: string | null;
  output: string;
}): string[] {
  const { width, height, fps } = opts.video;
  const epoch = (opts.startEpochMs / 1000).toFixed(3);
  const font = opts.fontFile ? `fontfile='${filterQuote(opts.fontFile)}':` : "";
  // %{pts:gmtime:EPOCH}: the frame's time on the cam's clock (UTC), for a frame `pts` seconds in.
  const text = `${opts.camId}  %{pts\\:gmtime\\:${epoch}}Z`;
  const drawtext = `drawtext=${font}fontsize=${Math.max(10, Math.round(height / 16))}:fontcolor=white:box=1:boxcolor=black@0.65:boxborderw=4:x=6:y=h-th-8:text='${text}'`;
  return [
    "-hide_banner",
    "-nostats",
    "-loglevel",
    "warning",
    "-re",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${width}x${height}:rate=${fps}`,
    "-vf",
    drawtext,
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-tune",
    "zerolatency",
    "-pix_fmt",
    "yuv420p",
    "-g",
    String(fps),
    // Every packet reaches the file at once: a cam killed mid-clip keeps what it recorded.
    "-flush_packets",
    "1",
    "-f",
    "mpegts",
    "-y",
    opts.output,
  ];
}

export class ClipRecorder {
  private readonly clock: Clock;
  private readonly fontFile: string | null;
  private current: {
    pending: Pending;
    dir: string;
    ffmpeg: CaptureProcess;
    offset: ClockOffsetEstimate;
  } | null = null;
  private lastSample: { carAtIso: string; camNow: number } | null = null;

  constructor(private readonly opts: ClipRecorderOptions) {
    this.clock = opts.clock ?? systemClock;
    this.fontFile = opts.fontFile ?? findFont();
    mkdirSync(opts.dir, { recursive: true });
  }

  get recording(): boolean {
    return this.current !== null;
  }

  get clipId(): string | null {
    return this.current?.pending.clipId ?? null;
  }

  /** The car event the current clip belongs to (null: none known yet, or not recording). */
  get eventId(): string | null {
    return this.current?.pending.eventId ?? null;
  }

  /** Start a clip (no-op while one is recording). */
  begin(eventId: string | null): string {
    if (this.current) return this.current.pending.clipId;
    const now = this.clock.now();
    const clipId = makeClipId(now, this.opts.camId, randomBytes(2).toString("hex"));
    const dir = join(this.opts.dir, clipId);
    mkdirSync(dir, { recursive: true });
    const pending: Pending = {
      clipId,
      camId: this.opts.camId,
      officer: this.opts.officer ?? null,
      vehicleId: this.opts.vehicleId ?? null,
      eventId,
      startedAt: isoTime(now),
      clockOffsetMs: 0,
      clockSource: "none",
    };
    writeJsonAtomicSync(join(dir, PENDING_FILE), pending);
    const args = clipCaptureArgs({
      camId: this.opts.camId,
      startEpochMs: now,
      video: this.opts.video ?? { width: 320, height: 240, fps: 10 },
      fontFile: this.fontFile,
      output: join(dir, CAPTURE_FILE),
    });
    const ffmpeg = (this.opts.launch ?? launchCapture)(this.opts.ffmpegPath ?? "ffmpeg", args);
    this.current = { pending, dir, ffmpeg, offset: new ClockOffsetEstimate() };
    // The activation that started this clip arrived just before it: it is this clip's first sample.
    const last = this.lastSample;
    if (last && now - last.camNow <= SAMPLE_CARRY_MS)
      this.applySample(this.current, last.carAtIso, last.camNow);
    return clipId;
  }

  /** The clip learned the car's event (the officer started the cam, the car then opened an event). */
  adoptEvent(eventId: string): void {
    const c = this.current;
    if (!c || c.pending.eventId === eventId) return;
    c.pending.eventId ??= eventId;
    this.savePending();
  }

  /** A message from the car with its `at`, received now on the cam's clock. */
  sampleCarClock(carAtIso: string): void {
    const camNow = this.clock.now();
    this.lastSample = { carAtIso, camNow };
    const c = this.current;
    if (c) this.applySample(c, carAtIso, camNow);
  }

  private applySample(c: NonNullable<ClipRecorder["current"]>, carAtIso: string, camNow: number): void {
    const before = c.offset.value;
    c.offset.sample(carAtIso, camNow);
    const v = c.offset.value;
    if (v.clockOffsetMs !== before.clockOffsetMs || v.clockSource !== before.clockSource) {
      c.pending.clockOffsetMs = v.clockOffsetMs;
      c.pending.clockSource = v.clockSource;
      this.savePending();
    }
  }

  /** Stop ffmpeg (`q`) and finish the clip; resolves with its manifest (null when nothing was recorded). */
  async end(): Promise<ClipManifest | null> {
    const c = this.current;
    if (!c) return null;
    this.current = null;
    const exit = await c.ffmpeg.stop(STOP_GRACE_MS);
    const manifest = await this.finish(c.dir, c.pending);
    if (!manifest)
      throw new FfmpegError(
        `clip ${c.pending.clipId}: nothing recorded (ffmpeg exited with ${exit.signal ?? exit.code})`,
        c.ffmpeg.stderrTail(),
      );
    return manifest;
  }

  /** Finish clips a crash left unfinished (a capture file and no manifest); returns their ids. */
  async recover(): Promise<string[]> {
    const done: string[] = [];
    for (const name of readdirSync(this.opts.dir)) {
      const dir = join(this.opts.dir, name);
      if (this.current?.dir === dir || existsSync(join(dir, CLIP_MANIFEST_FILE))) continue;
      const pendingPath = join(dir, PENDING_FILE);
      if (!existsSync(pendingPath)) continue;
      let pending: Pending;
      try {
        pending = pendingSchema.parse(JSON.parse(readFileSync(pendingPath, "utf8")));
      } catch {
        continue; // not ours or unreadable: left as it is, never deleted
      }
      if (await this.finish(dir, pending)) done.push(pending.clipId);
    }
    return done;
  }

  private savePending(): void {
    const c = this.current;
    if (c) writeJsonAtomicSync(join(c.dir, PENDING_FILE), c.pending);
  }

  private async finish(dir: string, pending: Pending): Promise<ClipManifest | null> {
    const capture = join(dir, CAPTURE_FILE);
    const clip = join(dir, CLIP_FILE);
    if (existsSync(capture) && statSync(capture).size > 0) {
      await runTool(this.opts.ffmpegPath ?? "ffmpeg", [
        "-hide_banner",
        "-loglevel",
        "error",
        "-i",
        capture,
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        "-y",
        `${clip}.tmp.mp4`,
      ]);
      renameSync(`${clip}.tmp.mp4`, clip);
    }
    if (!existsSync(clip)) return null;
    const durationSeconds =
      Math.round((await probeDuration(this.opts.ffprobePath ?? "ffprobe", clip)) * 1000) / 1000;
    const { sha256, bytes } = await sha256File(clip);
    const startedMs = Date.parse(pending.startedAt);
    const manifest: ClipManifest = {
      clipManifestVersion: 1,
      camId: pending.camId,
      clipId: pending.clipId,
      officer: pending.officer,
      vehicleId: pending.vehicleId,
      eventId: pending.eventId,
      startedAt: pending.startedAt,
      endedAt: isoTime(startedMs + Math.round(durationSeconds * 1000)),
      clockOffsetMs: pending.clockOffsetMs,
      clockSource: pending.clockSource,
      files: [{ file: CLIP_FILE, sha256, bytes, durationSeconds }],
      ...(this.opts.software ? { software: this.opts.software } : {}),
    };
    writeJsonAtomicSync(join(dir, CLIP_MANIFEST_FILE), manifest);
    rmSync(capture, { force: true });
    rmSync(join(dir, PENDING_FILE), { force: true });
    return manifest;
  }
}
