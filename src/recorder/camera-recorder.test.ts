import { appendFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { silentLogger } from "../core/logger.js";
import { CameraRecorder } from "./camera-recorder.js";
import { recorderConfigSchema } from "./config.js";
import type { CaptureProcess, ExitInfo } from "./ffmpeg-process.js";
import type { Segment } from "./segment.js";
import type { CameraState } from "./supervision.js";

/** A capture process that writes what the test tells it to, as ffmpeg's segment muxer would. */
class FakeCapture implements CaptureProcess {
  readonly pid = undefined;
  readonly exited: Promise<ExitInfo>;
  stopCalls: number[] = [];
  /** A hung ffmpeg: stop() never completes. */
  hang = false;
  private resolveExit!: (i: ExitInfo) => void;
  private n = 0;

  constructor(
    private readonly listPath: string,
    private readonly pattern: string,
  ) {
    this.exited = new Promise((r) => {
      this.resolveExit = r;
    });
  }

  /** Complete the next 1 s segment; its file is closed `lagMs` after its media end, on `wallAnchor`'s clock. */
  segment(wallAnchor: number, lagMs = 100, bytes = 5000): void {
    const file = this.pattern.replace("%06d", String(this.n).padStart(6, "0"));
    const path = join(this.listPath, "..", file);
    writeFileSync(path, Buffer.alloc(bytes));
    const end = this.n + 1;
    const mtime = (wallAnchor + end * 1000 + lagMs) / 1000;
    utimesSync(path, mtime, mtime);
    appendFileSync(this.listPath, `${file},${this.n}.000000,${end}.000000\n`);
    this.n += 1;
  }

  exit(info: ExitInfo): void {
    this.resolveExit(info);
  }

  stderrTail(): string[] {
    return ["[fake] some ffmpeg warning"];
  }

  stop(graceMs: number): Promise<ExitInfo> {
    this.stopCalls.push(graceMs);
    if (this.hang) return this.exited; // until exit() is called
    this.resolveExit({ code: 0, signal: null });
    return this.exited;
  }
}

const settle = () => new Promise((r) => setImmediate(r));
const cam = recorderConfigSchema.parse({ cameras: [{ name: "front", input: { type: "test" } }] }).cameras[0];

let dir: string;
let clock: FakeClock;
let procs: FakeCapture[];
let events: { segments: Segment[]; faults: string[]; health: CameraState[] };
let camera: CameraRecorder;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "camsync-cam-"));
  clock = new FakeClock(Date.UTC(2026, 10, 26, 14, 0, 0));
  procs = [];
  events = { segments: [], faults: [], health: [] };
  if (!cam) throw new Error("no camera");
  camera = new CameraRecorder({
    cam,
    ringDir: dir,
    segmentSeconds: 1,
    ffmpegPath: "ffmpeg",
    ffprobePath: "ffprobe",
    policy: {
      segmentSeconds: 1,
      stallSegments: 3,
      startupTimeoutMs: 10_000,
      backoffInitialMs: 200,
      backoffMaxMs: 5_000,
      crashLoopLimit: 3,
      crashLoopWindowMs: 60_000,
    },
    stopTimeoutMs: 1500,
    clock,
    launch: (_path, args) => {
      const list = args[args.indexOf("-segment_list") + 1] ?? "";
      const p = new FakeCapture(
        list,
        args
          .find((a) => a.endsWith("-%06d.ts"))
          ?.split("/")
          .at(-1) ?? "",
      );
      procs.push(p);
      return p;
    },
    log: silentLogger(),
    listener: {
      segment: (s) => events.segments.push(s),
      fault: (_at, cause) => events.faults.push(cause),
      health: (s) => events.health.push(s),
    },
    pollMs: 100,
  });
});

afterEach(async () => {
  await camera.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("CameraRecorder supervision (fake ffmpeg, fake time)", () => {
  it("announces completed segments dated on the wall clock, and reports ok", async () => {
    await camera.start();
    const t0 = clock.now();
    procs[0]?.segment(t0, 120);
    procs[0]?.segment(t0, 100);
    clock.advance(100);
    // Each segment is dated with the run's anchor as known when it completed (the smallest close lag so far).
    expect(events.segments.map((s) => s.startedAt - t0)).toEqual([120, 1100]);
    expect(events.segments.every((s) => s.durationMs === 1000 && s.bytes === 5000)).toBe(true);
    expect(events.health).toEqual(["starting", "ok"]);
    expect(camera.segments()).toHaveLength(2);
  });

  // Found by the soak with the disk really full: ffmpeg listed segments it could not write a byte of; claimed
  // into an event, they made its assembly fail at every retry ("Invalid data found when processing input").
  it("a listed segment that is empty (ffmpeg on a full disk) is not footage: skipped, the next one announced", async () => {
    await camera.start();
    const t0 = clock.now();
    procs[0]?.segment(t0);
    procs[0]?.segment(t0, 100, 0);
    procs[0]?.segment(t0);
    clock.advance(100);
    expect(events.segments.map((s) => s.file)).toEqual(camera.segments().map((s) => s.file));
    expect(events.segments.map((s) => s.bytes)).toEqual([5000, 5000]);
    expect(events.segments.map((s) => s.startedAt - t0)).toEqual([100, 2100]);
  });

  it("restarts ffmpeg after it exits, with backoff, and reports degraded meanwhile", async () => {
    await camera.start();
    procs[0]?.segment(clock.now());
    clock.advance(100);
    procs[0]?.exit({ code: null, signal: "SIGKILL" });
    await settle();
    expect(events.faults).toEqual(["ffmpeg exited (signal SIGKILL)"]);
    expect(events.health.at(-1)).toBe("degraded");
    clock.advance(199);
    expect(procs).toHaveLength(1);
    clock.advance(1);
    expect(procs).toHaveLength(2);
    procs[1]?.segment(clock.now());
    clock.advance(100);
    expect(events.health.at(-1)).toBe("ok");
    expect(camera.status().restarts).toBe(1);
  });

  it("restarts a stalled ffmpeg (no segment within three segment lengths) without waiting for it to die", async () => {
    await camera.start();
    const hung = procs[0];
    if (!hung) throw new Error("no ffmpeg");
    hung.hang = true;
    hung.segment(clock.now());
    clock.advance(100);
    clock.advance(2900);
    expect(events.faults).toEqual([]);
    clock.advance(200);
    expect(events.faults[0]).toMatch(/^ffmpeg stalled: no segment completed for 3\.\ds$/);
    expect(hung.stopCalls).toEqual([1000]); // shortened grace for a stalled process
    await settle();
    clock.advance(200);
    expect(procs).toHaveLength(2);
    hung.hang = false;
    hung.exit({ code: null, signal: "SIGKILL" }); // lets afterEach's stop() finish
  });

  it("a run that never completes a segment stalls after the startup timeout", async () => {
    await camera.start();
    clock.advance(9_900);
    expect(events.faults).toEqual([]);
    clock.advance(200);
    expect(events.faults).toHaveLength(1);
  });

  it("a crash loop marks the camera down, and restarts continue at the longest backoff", async () => {
    await camera.start();
    for (let i = 0; i < 3; i++) {
      procs[i]?.exit({ code: 1, signal: null });
      await settle();
      clock.advance(i < 2 ? 200 * 2 ** i : 5_000);
    }
    // changes only: "down" is not repeated at every further restart
    expect(events.health).toEqual(["starting", "degraded", "down"]);
    expect(procs).toHaveLength(4);
  });

  it("stop() quits ffmpeg and no restart follows", async () => {
    await camera.start();
    await camera.stop();
    expect(procs[0]?.stopCalls).toEqual([1500]);
    clock.advance(60_000);
    expect(procs).toHaveLength(1);
    expect(events.faults).toEqual([]);
  });
});
