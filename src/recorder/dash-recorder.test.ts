import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import type { Decision } from "../core/activation.js";
import { activationConfigSchema } from "../core/config.js";
import { type Alert, EventBus, type EventFinalized } from "../core/event-bus.js";
import { silentLogger } from "../core/logger.js";
import type { EventManifest } from "../evidence/manifest.js";
import { recorderConfigSchema } from "./config.js";
import { createRecorder, type Recorder } from "./dash-recorder.js";
import type { CaptureProcess, ExitInfo } from "./ffmpeg-process.js";

/** A capture process that never produces a segment (a camera that is not delivering). */
function silentCapture(): CaptureProcess {
  let exit!: (i: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((r) => {
    exit = r;
  });
  return {
    pid: undefined,
    exited,
    stderrTail: () => [],
    stop: () => {
      exit({ code: 0, signal: null });
      return exited;
    },
  };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

let dir: string;
let clock: FakeClock;
let bus: EventBus;
let recorder: Recorder;
let alerts: Alert[];
let finalized: EventFinalized[];
let launches: number;
let seq = 0;

const origin = { kind: "cli" as const, id: "test" };
type WithoutSeq<T> = T extends unknown ? Omit<T, "seq"> : never;
const emit = (d: WithoutSeq<Decision>) => bus.emit("decision", { ...d, seq: ++seq } as Decision);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "camsync-recorder-"));
  clock = new FakeClock(Date.UTC(2026, 10, 26, 14, 0, 0));
  bus = new EventBus();
  alerts = [];
  finalized = [];
  launches = 0;
  bus.on("alert", (a) => alerts.push(a));
  bus.on("event-finalized", (f) => finalized.push(f));
  recorder = createRecorder({
    config: recorderConfigSchema.parse({ cameras: [{ name: "front", input: { type: "test" } }] }),
    dataDir: dir,
    vehicle: { id: "unit12" },
    activation: activationConfigSchema.parse({ preEventSeconds: 5, postRollSeconds: 1 }),
    bus,
    clock,
    logger: silentLogger(),
    launch: () => {
      launches += 1;
      return silentCapture();
    },
    freeSpace: async () => 1e12,
    version: "test",
  });
  await recorder.start();
});

afterEach(async () => {
  await recorder.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("recorder event flow (fake ffmpeg, fake time)", () => {
  it("a camera that delivers nothing: the event still ends, after a bounded wait, with the hole as a gap", async () => {
    let ready = false;
    void recorder.ready().then(() => {
      ready = true;
    });
    const t0 = clock.now();
    const id = "20261126T140000Z-unit12-0001";
    emit({ type: "event-start", eventId: id, origin, preEventSeconds: 5, at: t0, reason: "test" });
    clock.advance(1000);
    emit({
      type: "stop-requested",
      eventId: id,
      origin,
      postRollSeconds: 1,
      at: clock.now(),
      reason: "stop",
    });
    clock.advance(1000);
    const endAt = clock.now();
    emit({ type: "event-end", eventId: id, at: endAt, reason: "post-roll ended" });

    // Waits max(startup timeout 10 s, 3 segments) + 2 segments for the camera's last segment.
    clock.advance(11_000);
    await settle();
    expect(recorder.status?.().openEvents).toEqual([id]);
    expect(finalized).toEqual([]);
    // Meanwhile the silent ffmpeg was declared stalled (startup timeout) and restarted; READY is not held back.
    expect(launches).toBe(2);
    expect(ready).toBe(true);

    clock.advance(1500);
    await recorder.idle();
    expect(finalized.map((f) => f.eventId)).toEqual([id]);
    const manifest = JSON.parse(
      readFileSync(join(dir, "events", id, "manifest.json"), "utf8"),
    ) as EventManifest;
    expect(manifest.cameras[0]?.files).toEqual([]);
    expect(manifest.cameras[0]?.gaps).toEqual([
      {
        from: new Date(t0 - 5000).toISOString(),
        to: new Date(endAt).toISOString(),
        seconds: 7,
        cause: "no footage from the camera",
      },
    ]);
    expect(manifest.preEvent.coveredSeconds).toBe(0);
    // the stall of the silent ffmpeg (10 s in) is in the timeline too
    expect(manifest.timeline.map((e) => e.type)).toEqual([
      "event-start",
      "stop-requested",
      "event-end",
      "camera-fault",
    ]);
  });

  it("never writes into an existing event directory: the decision raises event-not-recorded", async () => {
    const id = "20261126T140000Z-unit12-0002";
    mkdirSync(join(dir, "events", id), { recursive: true });
    emit({ type: "event-start", eventId: id, origin, preEventSeconds: 5, at: clock.now(), reason: "test" });
    expect(recorder.status?.().openEvents).toEqual([]);
    expect(alerts.map((a) => [a.code, a.severity, a.eventId])).toEqual([
      ["event-not-recorded", "critical", id],
    ]);
  });
});
