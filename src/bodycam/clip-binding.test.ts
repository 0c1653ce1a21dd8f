import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { bindClips, type ClipSink } from "./clip-binding.js";
import type { ClipManifest } from "./clip-manifest.js";

/** A recorder that only notes what it was asked to do. */
class NotingRecorder implements ClipSink {
  readonly log: string[] = [];
  private clip: { id: string; eventId: string | null } | null = null;
  private n = 0;
  get recording() {
    return this.clip !== null;
  }
  get eventId() {
    return this.clip?.eventId ?? null;
  }
  begin(eventId: string | null) {
    this.clip = { id: `c${++this.n}`, eventId };
    this.log.push(`begin ${this.clip.id} ${eventId}`);
    return this.clip.id;
  }
  adoptEvent(eventId: string) {
    if (this.clip && this.clip.eventId === null) this.clip.eventId = eventId;
    this.log.push(`adopt ${eventId}`);
  }
  sampleCarClock(at: string) {
    this.log.push(`sample ${at}`);
  }
  async end() {
    if (!this.clip) return null;
    this.log.push(`end ${this.clip.id} ${this.clip.eventId}`);
    this.clip = null;
    return { clipId: `c${this.n}` } as ClipManifest;
  }
}

const E1 = "20261126T142233Z-unit12-3f9a";
const E2 = "20261126T143000Z-unit12-0b0b";

describe("bindClips: a clip follows the cam's recording", () => {
  it.each([
    {
      name: "car activation: one clip for the event",
      steps: [
        { recording: true, eventId: E1 },
        { recording: false, eventId: null },
      ],
      want: [`begin c1 ${E1}`, `end c1 ${E1}`],
    },
    {
      name: "officer's own start: the clip takes the event the car opens for it",
      steps: [
        { recording: true, eventId: null },
        { recording: true, eventId: E1 },
        { recording: false, eventId: null },
      ],
      want: ["begin c1 null", `adopt ${E1}`, `end c1 ${E1}`],
    },
    {
      name: "another event takes the recording cam over: the clip ends, the next begins",
      steps: [
        { recording: true, eventId: E1 },
        { recording: true, eventId: E2 },
        { recording: false, eventId: null },
      ],
      want: [`begin c1 ${E1}`, `end c1 ${E1}`, `begin c2 ${E2}`, `end c2 ${E2}`],
    },
    {
      name: "a stop while not recording does nothing",
      steps: [{ recording: false, eventId: null }],
      want: [],
    },
  ])("$name", async ({ steps, want }) => {
    const cam = new EventEmitter();
    const rec = new NotingRecorder();
    const finished: string[] = [];
    const detach = bindClips(cam, rec, { finished: (m) => finished.push(m.clipId) });
    for (const s of steps) cam.emit("recording", s);
    await detach();
    expect(rec.log).toEqual(want);
    expect(finished).toHaveLength(want.filter((w) => w.startsWith("end")).length);
  });

  it("samples the car's clock from every activation, and detaching ends a running clip", async () => {
    const cam = new EventEmitter();
    const rec = new NotingRecorder();
    const detach = bindClips(cam, rec);
    cam.emit("activation", { at: "2026-11-26T14:22:33.123Z" });
    cam.emit("recording", { recording: true, eventId: E1 });
    await detach();
    cam.emit("recording", { recording: true, eventId: E2 }); // detached: ignored
    await new Promise((r) => setImmediate(r));
    expect(rec.log).toEqual(["sample 2026-11-26T14:22:33.123Z", `begin c1 ${E1}`, `end c1 ${E1}`]);
  });
});
