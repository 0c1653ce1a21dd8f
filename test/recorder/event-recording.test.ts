import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256File } from "../../src/storage/sha256.js";
import {
  cleanupAfterEach,
  decision,
  FPS,
  finishEvent,
  makeRig,
  peakVolume,
  probeVideo,
  type Rig,
  recorderConfig,
  sleep,
  tempDataDir,
  testCamera,
} from "./harness.js";

const PRE = 2;
const POST = 2;
cleanupAfterEach();

/** Record one event: ring warm-up, trigger, `activeMs` of recording, stop, post-roll, end. */
async function recordEvent(r: Rig, eventId: string, activeMs: number, during?: (triggerAt: number) => void) {
  await r.recorder.ready();
  await sleep((PRE + 1.5) * 1000);
  const triggerAt = Date.now();
  r.emit(decision.start(eventId, triggerAt, PRE));
  during?.(triggerAt);
  await sleep(activeMs);
  return { triggerAt, ...(await finishEvent(r, eventId, POST)) };
}

describe("dash recorder with real ffmpeg", { timeout: 90_000 }, () => {
  it("records one event from two cameras into two files: pre-event window, post-roll, no frames lost at joins, pre-event muted", async () => {
    const t = tempDataDir();
    const rig = makeRig(t.dir, recorderConfig({ cameras: [testCamera("front"), testCamera("rear")] }));
    await rig.recorder.start();
    const id = "20261126T142233Z-unit12-aaaa";
    rig.bus.emit("signal", { name: "speed", value: 40, unit: "km/h", at: Date.now() });
    const { triggerAt, endAt, fin, manifest } = await recordEvent(rig, id, 2000, (at) => {
      rig.bus.emit("signal", { name: "speed", value: 40, at: at + 10 }); // unchanged: not journaled again
      rig.bus.emit("signal", { name: "speed", value: 52, at: at + 20 });
      rig.bus.emit("gps", {
        at: at + 30,
        lat: 48.1,
        lon: 11.5,
        speedKmh: 52,
        courseDeg: 90,
        fix: "3d",
        satellites: 9,
        hdop: 0.9,
      });
      rig.bus.emit("bodycam-confirmation", {
        eventId: id,
        bodycamId: "bc1",
        commandedAt: at,
        confirmedAt: at + 350,
        latencyMs: 350,
      });
    });

    expect(manifest.cameras.map((c) => c.name)).toEqual(["front", "rear"]);
    expect(manifest.preEvent).toMatchObject({ requestedSeconds: PRE, audio: "muted" });
    expect(manifest.postRollSeconds).toBe(POST);
    expect(manifest.vehicle.id).toBe("unit12");
    expect(manifest.officer).toBe("badge-7");
    expect(manifest.timeline.map((e) => e.type)).toEqual(["event-start", "stop-requested", "event-end"]);
    expect(manifest.signals.map((x) => x.value)).toEqual([40, 52]); // state at the start, then the change
    expect(manifest.gpsTrack).toEqual([
      { at: new Date(triggerAt + 30).toISOString(), lat: 48.1, lon: 11.5, speedKmh: 52 },
    ]);
    expect(manifest.bodycams).toMatchObject([{ id: "bc1", latencyMs: 350, alerts: [] }]);
    for (const cam of manifest.cameras) {
      expect(cam.gaps).toEqual([]);
      expect(cam.files).toHaveLength(1);
      const file = cam.files[0];
      if (!file) throw new Error("no file");
      expect(file.file).toBe(`${cam.name}.mp4`);
      const path = join(fin.dir, file.file);
      expect((await sha256File(path)).sha256).toBe(file.sha256);
      for (const s of cam.segments) expect((await sha256File(join(fin.dir, s.file))).sha256).toBe(s.sha256);

      // The video starts preEventSeconds (within one 1 s segment) before the trigger …
      const first = Date.parse(cam.segments[0]?.startedAt ?? "");
      const lastSeg = cam.segments.at(-1);
      const last = Date.parse(lastSeg?.startedAt ?? "") + (lastSeg?.durationSeconds ?? 0) * 1000;
      const covered = (triggerAt - first) / 1000;
      expect(covered).toBeGreaterThanOrEqual(PRE);
      expect(covered).toBeLessThanOrEqual(PRE + 1);
      // … and ends postRollSeconds after the stop (within one segment).
      expect(last - endAt).toBeGreaterThanOrEqual(0);
      expect(last - endAt).toBeLessThanOrEqual(1000);

      // ffprobe: the file holds exactly that span, every frame of it.
      const v = await probeVideo(path);
      expect(Math.abs(v.duration - (last - first) / 1000)).toBeLessThan(0.15);
      expect(Math.abs(v.frames - ((last - first) / 1000) * FPS)).toBeLessThanOrEqual(2);
      expect(v.frames).toBe(cam.segments.length * FPS);

      // Pre-event audio silent, the rest audible.
      expect(await peakVolume(path, 0, covered - 0.7)).toBeLessThan(-60);
      expect(await peakVolume(path, covered + 1.2, v.duration - 0.2)).toBeGreaterThan(-40);
    }
  });

  it("keeps pre-event audio when preEventAudio is true", async () => {
    const t = tempDataDir();
    const rig = makeRig(t.dir, recorderConfig({ preEventAudio: true }));
    await rig.recorder.start();
    const { fin, manifest } = await recordEvent(rig, "20261126T142233Z-unit12-bbbb", 1000);
    expect(manifest.preEvent.audio).toBe("kept");
    const cam = manifest.cameras[0];
    expect(cam?.segments.filter((s) => s.preEvent).length).toBeGreaterThanOrEqual(PRE);
    expect(cam?.segments.every((s) => s.audio === "kept")).toBe(true);
    expect(await peakVolume(join(fin.dir, "front.mp4"), 0.3, PRE - 0.3)).toBeGreaterThan(-40);
  });

  it("2 s segments and a camera without audio: the video starts within one segment of the pre-event window", async () => {
    const t = tempDataDir();
    const rig = makeRig(t.dir, recorderConfig({ segmentSeconds: 2, cameras: [testCamera("cabin", false)] }));
    await rig.recorder.start();
    const { triggerAt, endAt, fin, manifest } = await recordEvent(rig, "20261126T142233Z-unit12-cccc", 1000);
    const cam = manifest.cameras[0];
    if (!cam) throw new Error("no camera");
    expect(cam.gaps).toEqual([]);
    const first = Date.parse(cam.segments[0]?.startedAt ?? "");
    const last = cam.segments.at(-1);
    const lastEnd = Date.parse(last?.startedAt ?? "") + (last?.durationSeconds ?? 0) * 1000;
    expect((triggerAt - first) / 1000).toBeGreaterThanOrEqual(PRE);
    expect((triggerAt - first) / 1000).toBeLessThanOrEqual(PRE + 2);
    expect(lastEnd - endAt).toBeGreaterThanOrEqual(0);
    expect(lastEnd - endAt).toBeLessThanOrEqual(2000);
    expect(cam.segments.every((s) => Math.abs(s.durationSeconds - 2) < 0.05)).toBe(true);
    const v = await probeVideo(join(fin.dir, "cabin.mp4"));
    expect(v.frames).toBe(cam.segments.length * 2 * FPS);
    expect(Math.abs(v.duration - (lastEnd - first) / 1000)).toBeLessThan(0.15);
  });
});
