import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { verifyEvent } from "../../src/evidence/verify.js";
import { isOutOfSpace } from "../../src/recorder/assembly-retry.js";
import { assembleEvent } from "../../src/recorder/event-assembly.js";
import { concatStreamsToMp4, FfmpegError } from "../../src/recorder/ffmpeg-process.js";
import type { Claimed } from "../../src/recorder/open-event.js";
import { parseSegmentList } from "../../src/recorder/segment.js";
import { decision, makeRig, openEntry, probeVideo, recorderConfig, sleep } from "./harness.js";

// Issue 11, defect 5: a full disk during assembly. A small tmpfs stands for the car's data disk, so
// "full" is real ENOSPC from the kernel (needs root for mount; skipped with a message otherwise).

const mounts: string[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  for (const m of mounts.splice(0)) {
    spawnSync("umount", [m]);
    rmSync(m, { recursive: true, force: true });
  }
});

function mountTmpfs(mib: number): string | null {
  const dir = mkdtempSync(join(tmpdir(), "camsync-small-disk-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${mib}m,mode=0750`, "tmpfs", dir], {
    encoding: "utf8",
  });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  mounts.push(dir);
  return dir;
}
const canMount = (() => {
  const d = mountTmpfs(1);
  if (!d) return false;
  spawnSync("umount", [d]);
  rmSync(d, { recursive: true, force: true });
  mounts.pop();
  return true;
})();
if (!canMount) console.warn("disk-full tests skipped: cannot mount a tmpfs here (needs root)");

const freeBytes = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/** Fill the filesystem of `dir` until only `leave` bytes are free. */
function fillLeaving(dir: string, leave: number): string {
  const filler = join(dir, "filler");
  writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(dir) - leave)));
  return filler;
}

const T0 = Date.UTC(2026, 10, 26, 14, 0, 0);

describe.skipIf(!canMount)("assembly on a full disk (tmpfs)", () => {
  it("assembles with 1.3× the event's size free (the MP4 is the only new file); measures the peak extra space", async () => {
    const disk = mountTmpfs(24) as string;
    const dir = join(disk, "events", "20261126T140000Z-unit12-full");
    const segDir = join(dir, "segments", "front");
    mkdirSync(segDir, { recursive: true });
    const run = "20261126T140000000";
    execFileSync("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15"],
      ...["-f", "lavfi", "-i", "sine=frequency=800", "-t", "24", "-c:v", "libx264", "-preset", "ultrafast"],
      ...["-b:v", "1200k", "-g", "15", "-c:a", "aac", "-f", "segment", "-segment_format", "mpegts"],
      ...["-segment_time", "1", "-segment_list_type", "csv", "-segment_list", join(disk, "list.csv")],
      join(segDir, `${run}-%06d.ts`),
    ]);
    const segs: Claimed[] = parseSegmentList(readFileSync(join(disk, "list.csv"), "utf8")).entries.map(
      (e) => ({
        file: e.file,
        startedAt: T0 + Math.round(e.start * 1000),
        durationMs: Math.round((e.end - e.start) * 1000),
        part: 1,
        preEvent: false,
        muted: false,
      }),
    );
    const eventBytes = segs.reduce((n, c) => n + statSync(join(segDir, c.file)).size, 0);
    expect(eventBytes).toBeGreaterThan(3 * 1024 * 1024);
    const open = openEntry("20261126T140000Z-unit12-full", T0);
    fillLeaving(disk, Math.round(eventBytes * 1.3));
    const before = freeBytes(disk);
    let lowest = before;
    const sampler = setInterval(() => {
      lowest = Math.min(lowest, freeBytes(disk));
    }, 2);
    try {
      const last = segs.at(-1) as Claimed;
      await assembleEvent({
        dir,
        open,
        entries: [open],
        claimed: new Map([["front", segs]]),
        endAt: last.startedAt + last.durationMs,
        ffmpegPath: "ffmpeg",
        ffprobePath: "ffprobe",
        version: "test",
      });
    } finally {
      clearInterval(sampler);
    }
    lowest = Math.min(lowest, freeBytes(disk));
    const mp4 = statSync(join(dir, "front.mp4")).size;
    const peak = before - lowest;
    console.info(
      `assembly peak extra space: ${peak} B for ${eventBytes} B of segments (${(peak / eventBytes).toFixed(2)}×; MP4 ${mp4} B)`,
    );
    expect(peak).toBeLessThan(eventBytes * 1.3);
    expect((await probeVideo(join(dir, "front.mp4"))).frames).toBe(24 * 15);
  }, 120_000);

  it("an assembly that failed with ENOSPC is retried when space returns, without a restart, and then verifies", async () => {
    const disk = mountTmpfs(32) as string;
    const rig = makeRig(disk, recorderConfig());
    stops.push(() => rig.recorder.stop());
    await rig.recorder.start();
    await rig.recorder.ready();
    const id = "20261126T140000Z-unit12-nosp";
    rig.emit(decision.start(id, Date.now(), 2));
    await sleep(4000);
    rig.emit(decision.stop(id, Date.now(), 1));
    await sleep(1000);
    // The disk fills up just as the event ends: room for the ring's next seconds, not for the MP4.
    const filler = fillLeaving(disk, 60 * 1024);
    rig.emit(decision.end(id, Date.now()));
    await expect
      .poll(() => rig.alerts.find((a) => a.code === "event-assembly-failed" && a.eventId === id), {
        timeout: 30_000,
      })
      .toBeDefined();
    expect(rig.alerts.find((a) => a.code === "event-assembly-failed")?.message).toMatch(
      /retried when space returns/,
    );
    rmSync(filler);
    const fin = await rig.nextFinalized(id, 30_000);
    const report = await verifyEvent(fin.dir);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect((await probeVideo(join(fin.dir, "front.mp4"))).frames).toBeGreaterThan(0);
  }, 120_000);

  // Found by the soak's fill-during-assembly fault: ffmpeg died of ENOSPC while its input was still being
  // fed, the next write hit a destroyed pipe, and that error (not ffmpeg's) was reported: not recognised as
  // lack of space, so the assembly was "retried at next start" instead of when space returned.
  it("a concat that runs out of space while still being fed fails with ffmpeg's ENOSPC, not the pipe's error", async () => {
    const disk = mountTmpfs(2) as string;
    const work = mkdtempSync(join(tmpdir(), "camsync-concat-src-"));
    stops.push(async () => rmSync(work, { recursive: true, force: true }));
    const input = join(work, "in.ts");
    execFileSync("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=25"],
      ...["-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "4000k", "-f", "mpegts", input],
    ]);
    const buf = readFileSync(input);
    expect(buf.length).toBeGreaterThan(2.5 * 1024 * 1024);
    const err: unknown = await concatStreamsToMp4("ffmpeg", 1, join(disk, "out.mp4"), async (_i, write) => {
      for (let o = 0; o < buf.length; o += 64 * 1024) {
        await write(buf.subarray(o, o + 64 * 1024));
        await sleep(5);
      }
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FfmpegError);
    expect(isOutOfSpace(err)).toBe(true);
  }, 60_000);
});
