import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { Decision } from "../../src/core/activation.js";
import { systemClock } from "../../src/core/clock.js";
import { activationConfigSchema } from "../../src/core/config.js";
import { type Alert, EventBus, type EventFinalized } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import type { EventManifest } from "../../src/evidence/manifest.js";
import { type RecorderConfig, recorderConfigSchema } from "../../src/recorder/config.js";
import { createRecorder, type Recorder, type RecorderOptions } from "../../src/recorder/dash-recorder.js";
import type { OpenEntry } from "../../src/recorder/event-journal.js";
import { runTool } from "../../src/recorder/ffmpeg-process.js";

/** Shared set-up for recorder integration tests: real ffmpeg, cheap test-pattern cameras, decisions built by hand. */

export const FPS = 15;

export function testCamera(name: string, audio = true) {
  return {
    name,
    input: { type: "test" as const, toneHz: 1000 },
    video: { width: 320, height: 240, fps: FPS, bitrateKbps: 300 },
    audio: { enabled: audio, bitrateKbps: 64 },
  };
}

export function recorderConfig(overrides: Record<string, unknown> = {}): RecorderConfig {
  return recorderConfigSchema.parse({
    cameras: [testCamera("front")],
    storage: { reserveMinutes: 0, minFreeBytes: 0, checkIntervalSeconds: 1 },
    ring: { marginSeconds: 4 },
    ...overrides,
  });
}

export interface Rig {
  dataDir: string;
  bus: EventBus;
  recorder: Recorder;
  alerts: Alert[];
  finalized: EventFinalized[];
  nextFinalized(eventId: string, timeoutMs?: number): Promise<EventFinalized>;
  emit(d: Decision): void;
}

let seq = 0;
export const decision = {
  start: (eventId: string, at: number, preEventSeconds: number): Decision => ({
    type: "event-start",
    eventId,
    origin: { kind: "cli", id: "test" },
    preEventSeconds,
    at,
    reason: "test start",
    seq: ++seq,
  }),
  resume: (eventId: string, at: number): Decision => ({
    type: "event-resume",
    eventId,
    origin: { kind: "cli", id: "test" },
    state: "active",
    at,
    reason: "daemon restarted",
    seq: ++seq,
  }),
  stop: (eventId: string, at: number, postRollSeconds: number): Decision => ({
    type: "stop-requested",
    eventId,
    origin: { kind: "cli", id: "test" },
    postRollSeconds,
    at,
    reason: "test stop",
    seq: ++seq,
  }),
  end: (eventId: string, at: number): Decision => ({
    type: "event-end",
    eventId,
    at,
    reason: "post-roll ended",
    seq: ++seq,
  }),
};

/** An event's journal `open` entry for assembly tests (one camera `front`, no pre-event by default). */
export function openEntry(eventId: string, at: number, over: Partial<OpenEntry> = {}): OpenEntry {
  return {
    t: "open",
    at,
    eventId,
    origin: { kind: "cli", id: "test" },
    triggerAt: at,
    preEventSeconds: 0,
    preEventAudio: true,
    segmentSeconds: 1,
    vehicle: { id: "unit12" },
    officer: null,
    cameras: ["front"],
    source: "activation",
    ...over,
  };
}

const live: { dir: string; rigs: Rig[] }[] = [];

/** A fresh data directory, deleted (after its recorders are stopped) by `cleanupAfterEach`. */
export function tempDataDir(): { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "camsync-rec-"));
  live.push({ dir, rigs: [] });
  return { dir };
}

/** Call once per test file: after each test, stop every recorder and delete every data directory. */
export function cleanupAfterEach(): void {
  afterEach(async () => {
    for (const l of live.splice(0)) {
      for (const r of l.rigs) await r.recorder.stop();
      rmSync(l.dir, { recursive: true, force: true });
    }
  });
}

export function makeRig(dataDir: string, config: RecorderConfig, extra: Partial<RecorderOptions> = {}): Rig {
  const bus = new EventBus();
  const alerts: Alert[] = [];
  const finalized: EventFinalized[] = [];
  const waiters: { id: string; resolve: (f: EventFinalized) => void }[] = [];
  bus.on("alert", (a) => alerts.push(a));
  bus.on("event-finalized", (f) => {
    finalized.push(f);
    for (const w of waiters.filter((x) => x.id === f.eventId)) w.resolve(f);
  });
  const recorder = createRecorder({
    config,
    dataDir,
    vehicle: { id: "unit12", officer: "badge-7" },
    activation: activationConfigSchema.parse({ preEventSeconds: 2, postRollSeconds: 2 }),
    bus,
    clock: systemClock,
    logger: silentLogger(),
    ...extra,
  });
  const rig: Rig = {
    dataDir,
    bus,
    recorder,
    alerts,
    finalized,
    emit: (d) => bus.emit("decision", d),
    nextFinalized: (id, timeoutMs = 45_000) =>
      new Promise((resolve, reject) => {
        const done = finalized.find((f) => f.eventId === id);
        if (done) return resolve(done);
        const t = setTimeout(
          () => reject(new Error(`event ${id} not finalized within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          id,
          resolve: (f) => {
            clearTimeout(t);
            resolve(f);
          },
        });
      }),
  };
  live.find((l) => l.dir === dataDir)?.rigs.push(rig);
  return rig;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Video stream facts from ffprobe (independent of the recorder's own bookkeeping). */
export async function probeVideo(file: string): Promise<{ frames: number; duration: number }> {
  const out = await runTool("ffprobe", [
    ...["-v", "error", "-select_streams", "v:0", "-count_packets"],
    ...["-show_entries", "stream=nb_read_packets:format=duration", "-of", "json", file],
  ]);
  const j = JSON.parse(out) as { streams: { nb_read_packets: string }[]; format: { duration: string } };
  return { frames: Number(j.streams[0]?.nb_read_packets), duration: Number(j.format.duration) };
}

/** Peak audio level (dBFS) over [from, to) seconds of a file, via ffmpeg volumedetect. */
export async function peakVolume(file: string, from: number, to: number): Promise<number> {
  const out = await new Promise<string>((resolve, reject) => {
    import("node:child_process").then(({ execFile }) =>
      execFile(
        "ffmpeg",
        [
          "-hide_banner",
          "-nostats",
          "-i",
          file,
          "-vn",
          "-af",
          `atrim=${from}:${to},volumedetect`,
          "-f",
          "null",
          "-",
        ],
        (err, _stdout, stderr) => (err ? reject(err) : resolve(stderr)),
      ),
    );
  });
  const m = /max_volume: (-?[\d.]+|-inf) dB/.exec(out);
  if (!m?.[1]) throw new Error(`no volumedetect output for ${file} [${from}, ${to})`);
  return m[1] === "-inf" ? Number.NEGATIVE_INFINITY : Number(m[1]);
}

/** A recorder on a fresh data directory, started, every camera with its first segment. */
export async function startedRig(config: RecorderConfig, extra: Partial<RecorderOptions> = {}): Promise<Rig> {
  const rig = makeRig(tempDataDir().dir, config, extra);
  await rig.recorder.start();
  await rig.recorder.ready();
  return rig;
}

/** Stop the event now, let post-roll run, end it, and read the manifest once it is assembled. */
export async function finishEvent(rig: Rig, eventId: string, postRollSeconds: number) {
  rig.emit(decision.stop(eventId, Date.now(), postRollSeconds));
  await sleep(postRollSeconds * 1000);
  const endAt = Date.now();
  rig.emit(decision.end(eventId, endAt));
  const fin = await rig.nextFinalized(eventId);
  const manifest = JSON.parse(readFileSync(join(fin.dir, "manifest.json"), "utf8")) as EventManifest;
  return { endAt, fin, manifest };
}
