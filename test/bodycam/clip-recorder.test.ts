import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ClipDock, ClipProblem, DirectoryDockTarget } from "../../src/bodycam/clip-dock.js";
import { clipManifestSchema } from "../../src/bodycam/clip-manifest.js";
import { ClipRecorder, clipCaptureArgs } from "../../src/bodycam/clip-recorder.js";
import { type CaptureProcess, launchCapture } from "../../src/recorder/ffmpeg-process.js";
import { sha256File } from "../../src/storage/sha256.js";
import { firstClipFrame } from "./harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const EVENT = "20261126T142233Z-unit12-3f9a";

function probe(file: string): { width: number; height: number; duration: number } {
  const out = execFileSync("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=width,height:format=duration",
    "-of",
    "json",
    file,
  ]).toString();
  const j = JSON.parse(out) as { streams: { width: number; height: number }[]; format: { duration: string } };
  return {
    width: j.streams[0]?.width ?? 0,
    height: j.streams[0]?.height ?? 0,
    duration: Number(j.format.duration),
  };
}

describe("body-cam clips (real ffmpeg)", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), "camsync-clips-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("burns the cam id and its clock's time into a small, low-rate test pattern", () => {
    const args = clipCaptureArgs({
      camId: "bc1",
      startEpochMs: Date.parse("2026-11-26T14:22:35.120Z"),
      video: { width: 320, height: 240, fps: 10 },
      fontFile: "/fonts/a:b.ttf",
      output: "/x/clip.ts",
    });
    expect(args).toContain("testsrc2=size=320x240:rate=10");
    const vf = args[args.indexOf("-vf") + 1] ?? "";
    expect(vf).toContain("fontfile='/fonts/a\\:b.ttf'");
    expect(vf).toContain("text='bc1  %{pts\\:gmtime\\:1795702955.120}Z'");
  });

  it("records a clip while recording: clip.mp4 + a manifest that validates, with its SHA-256 and the car's event", async () => {
    const dir = tmp();
    let now = Date.parse("2026-11-26T14:22:35.000Z");
    const clock = { now: () => now } as unknown as ConstructorParameters<typeof ClipRecorder>[0]["clock"];
    const rec = new ClipRecorder({ camId: "bc1", dir, officer: "B1234", vehicleId: "unit12", clock });
    // The car's activation was sent 80 ms before the cam's clock read it: the cam is 80 ms ahead at most.
    rec.sampleCarClock("2026-11-26T14:22:34.920Z");
    const clipId = rec.begin(null);
    expect(clipId).toMatch(/^20261126T142235Z-bc1-[0-9a-f]{4}$/);
    rec.adoptEvent(EVENT);
    await firstClipFrame(dir, clipId);
    await sleep(2200);
    now += 2200;
    rec.sampleCarClock("2026-11-26T14:22:37.150Z"); // a fresher sample: 50 ms
    const m = await rec.end();
    expect(m).not.toBeNull();
    const manifest = clipManifestSchema.parse(
      JSON.parse(readFileSync(join(dir, clipId, "manifest.json"), "utf8")),
    );
    expect(manifest).toMatchObject({
      camId: "bc1",
      clipId,
      officer: "B1234",
      vehicleId: "unit12",
      eventId: EVENT,
      startedAt: "2026-11-26T14:22:35.000Z",
      clockOffsetMs: 50,
      clockSource: "car",
    });
    const file = manifest.files[0];
    expect(file?.file).toBe("clip.mp4");
    const local = await sha256File(join(dir, clipId, "clip.mp4"));
    expect(file).toMatchObject({ sha256: local.sha256, bytes: local.bytes });
    const p = probe(join(dir, clipId, "clip.mp4"));
    expect(p).toMatchObject({ width: 320, height: 240 });
    expect(p.duration).toBeGreaterThan(1);
    expect(p.duration).toBeLessThan(4);
    expect(Date.parse(manifest.endedAt) - Date.parse(manifest.startedAt)).toBe(
      Math.round((file?.durationSeconds ?? 0) * 1000),
    );
  }, 20_000);

  it("finishes a clip whose recorder was killed mid-recording at the next start", async () => {
    const dir = tmp();
    let ffmpeg: CaptureProcess | undefined;
    const rec = new ClipRecorder({
      camId: "bc2",
      dir,
      launch: (path, args) => {
        ffmpeg = launchCapture(path, args);
        return ffmpeg;
      },
    });
    const clipId = rec.begin(EVENT);
    await firstClipFrame(dir, clipId);
    await sleep(2000);
    process.kill(ffmpeg?.pid ?? 0, "SIGKILL"); // the cam dies: no clean stop, no manifest
    await ffmpeg?.exited;
    const again = new ClipRecorder({ camId: "bc2", dir });
    expect(await again.recover()).toEqual([clipId]);
    const manifest = clipManifestSchema.parse(
      JSON.parse(readFileSync(join(dir, clipId, "manifest.json"), "utf8")),
    );
    expect(manifest.eventId).toBe(EVENT);
    expect(manifest.files[0]?.durationSeconds).toBeGreaterThan(0.5);
    expect(await again.recover()).toEqual([]); // once
  }, 20_000);

  it("docks to a directory laid out like the bucket, manifest last; refuses a clip whose file changed", async () => {
    const dir = tmp();
    const station = tmp();
    const rec = new ClipRecorder({ camId: "bc1", dir });
    const a = rec.begin(EVENT);
    await firstClipFrame(dir, a);
    await sleep(1200);
    await rec.end();
    const dock = new ClipDock(dir, new DirectoryDockTarget(station), { prefix: "evidence/" });
    expect(dock.pending()).toEqual([a]);
    const r = await dock.dockAll();
    expect(r.docked).toEqual([{ clipId: a, key: `evidence/bodycams/bc1/${a}/`, files: 1 }]);
    const stored = join(station, "evidence", "bodycams", "bc1", a);
    expect((await sha256File(join(stored, "clip.mp4"))).sha256).toBe(
      (await sha256File(join(dir, a, "clip.mp4"))).sha256,
    );
    expect(readFileSync(join(stored, "manifest.json"), "utf8")).toBe(
      readFileSync(join(dir, a, "manifest.json"), "utf8"),
    );
    expect(dock.pending()).toEqual([]);

    const b = rec.begin(null);
    await firstClipFrame(dir, b);
    await sleep(1200);
    await rec.end();
    writeFileSync(join(dir, b, "clip.mp4"), "not the recorded clip");
    const r2 = await dock.dockAll();
    expect(r2.docked).toEqual([]);
    expect(r2.failed[0]?.clipId).toBe(b);
    await expect(dock.dock(b)).rejects.toBeInstanceOf(ClipProblem);
    expect(dock.pending()).toEqual([b]); // kept, not marked docked
  }, 20_000);
});
