import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventManifest } from "../../src/evidence/manifest.js";
import { assembleEvent } from "../../src/recorder/event-assembly.js";
import type { Claimed } from "../../src/recorder/open-event.js";
import { parseSegmentList } from "../../src/recorder/segment.js";
import { sha256File } from "../../src/storage/sha256.js";
import { cleanupAfterEach, FPS, openEntry, probeVideo, tempDataDir } from "./harness.js";

cleanupAfterEach();

const T0 = Date.UTC(2026, 10, 26, 14, 0, 0);
let source: string;

/** Two ffmpeg runs, A (eight 1 s segments) and B (four), as the capture would write them. */
beforeAll(() => {
  source = mkdtempSync(join(tmpdir(), "camsync-asm-src-"));
  for (const [run, seconds] of [
    ["20261126T140000000", 8],
    ["20261126T140005500", 4],
  ]) {
    execFileSync("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", `testsrc2=size=160x120:rate=${FPS}`],
      ...[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=800:sample_rate=48000",
        "-t",
        String(seconds),
        "-map",
        "0:v",
        "-map",
        "1:a",
      ],
      ...[
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        String(FPS),
        "-sc_threshold",
        "0",
        "-pix_fmt",
        "yuv420p",
      ],
      ...["-force_key_frames", "expr:gte(t,n_forced*1)", "-c:a", "aac", "-ac", "1"],
      ...["-f", "segment", "-segment_format", "mpegts", "-segment_time", "1", "-segment_list_type", "csv"],
      ...["-segment_list", join(source, `${run}.csv`), join(source, `${run}-%06d.ts`)],
    ]);
  }
});
afterAll(() => rmSync(source, { recursive: true, force: true }));

function claimed(run: string, startAt: number, part: number): Claimed[] {
  const { entries } = parseSegmentList(readFileSync(join(source, `${run}.csv`), "utf8"));
  return entries.map((e) => ({
    file: e.file,
    startedAt: startAt + Math.round(e.start * 1000),
    durationMs: Math.round((e.end - e.start) * 1000),
    part,
    preEvent: false,
    muted: false,
  }));
}

async function assemble(segs: Claimed[]) {
  const dir = join(tempDataDir().dir, "event");
  mkdirSync(join(dir, "segments", "front"), { recursive: true });
  for (const c of segs) linkSync(join(source, c.file), join(dir, "segments", "front", c.file));
  const open = openEntry("20261126T140000Z-unit12-asmb", T0);
  const last = segs.at(-1);
  const r = await assembleEvent({
    dir,
    open,
    entries: [open],
    claimed: new Map([["front", segs]]),
    endAt: (last?.startedAt ?? 0) + (last?.durationMs ?? 0),
    ffmpegPath: "ffmpeg",
    ffprobePath: "ffprobe",
    version: "test",
  });
  const onDisk = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as EventManifest;
  return { dir, r, onDisk };
}

describe("event assembly (real ffmpeg)", () => {
  it("a rollover splits the event into {camera}.mp4 and {camera}-part2.mp4, every frame kept, all hashed", async () => {
    const all = claimed("20261126T140000000", T0, 1);
    const segs = all.map((c, i) => ({ ...c, part: i < 4 ? 1 : 2 }));
    const { dir, r, onDisk } = await assemble(segs);
    expect(r.files.map((f) => f.file)).toEqual(["front.mp4", "front-part2.mp4"]);
    for (const f of r.files) {
      const v = await probeVideo(join(dir, f.file));
      expect(v.frames).toBe(4 * FPS);
      expect((await sha256File(join(dir, f.file))).sha256).toBe(f.sha256);
    }
    expect(onDisk).toEqual(r.manifest);
    const cam = onDisk.cameras[0];
    expect(cam?.files.map((f) => f.part)).toEqual([1, 2]);
    for (const s of cam?.segments ?? []) {
      expect((await sha256File(join(dir, s.file))).sha256).toBe(s.sha256);
    }
    expect(cam?.gaps).toEqual([]);
  });

  it("two ffmpeg runs with a hole between them join without lost frames; the hole is a gap", async () => {
    const a = claimed("20261126T140000000", T0, 1).slice(0, 4);
    const segs = [...a, ...claimed("20261126T140005500", T0 + 5500, 1)];
    const { dir, r } = await assemble(segs);
    const aEnd = (a.at(-1)?.startedAt ?? 0) + (a.at(-1)?.durationMs ?? 0);
    const v = await probeVideo(join(dir, "front.mp4"));
    expect(v.frames).toBe(8 * FPS);
    expect(Math.abs(v.duration - 8)).toBeLessThan(0.15);
    expect(r.manifest.cameras[0]?.gaps).toEqual([
      {
        from: new Date(aEnd).toISOString(),
        to: new Date(T0 + 5500).toISOString(),
        seconds: (T0 + 5500 - aEnd) / 1000,
        cause: "no footage from the camera",
      },
    ]);
  });
});
