// The vehicle's CAN traffic for the soak and the bench: a real capture (a 2017 Ford Fusion accelerating
// from ~28 to ~76 km/h, ../shared/fixtures) replayed at its original pace as SLCAN frames, alternating with
// "cruising" stretches (the capture's first seconds, below the speed rule). When the fixture is absent a
// synthetic feed of the speed frame alone (0x415, same layout) takes its place.
// Every time the speed written on the line rises above the rule's threshold, that is a CAN trigger
// injection, recorded with the wall-clock time of the write.
import { existsSync, readFileSync } from "node:fs";
import { encodeSlcanFrame } from "../dist/vehicle/slcan-commands.js";

export const SPEED_FRAME_ID = 0x415;
/** Veh_V_ActlBrk (ford_lincoln_base_pt.dbc): start bit 7, 16 bits, motorola, × 0.01 km/h. */
export const speedSignal = {
  name: "speed",
  id: SPEED_FRAME_ID,
  start: 7,
  length: 16,
  order: "motorola",
  scale: 0.01,
  unit: "km/h",
};

/** Speed (km/h) carried by a 0x415 payload: bytes 0–1 big-endian × 0.01 (decoded here, independently). */
export function speedOf(data) {
  return ((data[0] << 8) | data[1]) * 0.01;
}

/** @returns {{ relMs: number, line: string, speed: number | null }[]} */
export function loadCapture(file) {
  const out = [];
  let t0 = null;
  for (const text of readFileSync(file, "utf8").split("\n")) {
    const m = /^\((\d+\.\d+)\)\s+\S+\s+([0-9A-Fa-f]+)#([0-9A-Fa-f]*)$/.exec(text.trim());
    if (!m) continue;
    const t = Number(m[1]) * 1000;
    t0 ??= t;
    const id = Number.parseInt(m[2], 16);
    const data = Buffer.from(m[3], "hex");
    const extended = m[2].length > 3;
    out.push({
      relMs: t - t0,
      line: encodeSlcanFrame({ id, extended, remote: false, dlc: data.length, data }),
      speed: id === SPEED_FRAME_ID && !extended ? speedOf(data) : null,
    });
  }
  return out;
}

/** 0x415 alone at 20 Hz: 28 → 76 km/h over 21 s (the capture's profile). */
export function syntheticCapture() {
  const out = [];
  for (let relMs = 0; relMs < 21_000; relMs += 50) {
    const kmh = 28 + (48 * relMs) / 21_000;
    const raw = Math.round(kmh * 100);
    const data = Buffer.from([raw >> 8, raw & 0xff, 0, 0, 0x08, 0, 0x08, 0]);
    out.push({
      relMs,
      line: encodeSlcanFrame({ id: SPEED_FRAME_ID, extended: false, remote: false, dlc: 8, data }),
      speed: kmh,
    });
  }
  return out;
}

export class CanFeed {
  /**
   * @param {{ adapter: import("./slcan-adapter.mjs").SlcanAdapter, capture?: string, threshold: number,
   *           clearBelow: number, rng: ReturnType<typeof import("./rng.mjs").createRng>,
   *           onCrossing?: (at: number, kmh: number) => void, cruiseMaxSeconds?: number }} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.source = opts.capture && existsSync(opts.capture) ? "capture" : "synthetic";
    this.frames =
      this.source === "capture" ? loadCapture(/** @type {string} */ (opts.capture)) : syntheticCapture();
    const cruiseEnd = this.frames.findIndex((f) => f.relMs > 2000);
    this.cruise = this.frames.slice(0, cruiseEnd > 0 ? cruiseEnd : this.frames.length);
    this.timer = null;
    this.written = 0;
    this.dropped = 0;
    this.crossings = [];
    this.above = false;
    this.lastSpeed = null;
  }

  start() {
    this.nextPass();
    this.timer = setInterval(() => this.tick(), 10);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  /** Choose what plays next: a full acceleration pass, or a stretch of cruising below the threshold. */
  nextPass() {
    const { rng, cruiseMaxSeconds = 30 } = this.opts;
    const cruising = this.passKind !== "cruise" && rng.next() < 0.6;
    this.passKind = cruising ? "cruise" : "full";
    this.pass = cruising ? this.cruise : this.frames;
    this.repeats = cruising ? rng.int(1, Math.max(1, Math.round(cruiseMaxSeconds / 2))) : 1;
    this.index = 0;
    this.passStart = performance.now();
  }

  tick() {
    const { adapter, threshold, clearBelow } = this.opts;
    const elapsed = performance.now() - this.passStart;
    let chunk = "";
    let n = 0;
    for (;;) {
      const f = this.pass[this.index];
      if (!f) {
        if (--this.repeats > 0) {
          this.index = 0;
          this.passStart = performance.now();
        } else this.nextPass();
        break;
      }
      if (f.relMs > elapsed) break;
      chunk += f.line;
      n++;
      this.index++;
      if (f.speed !== null) {
        this.lastSpeed = f.speed;
        if (!this.above && f.speed > threshold) {
          this.above = true;
          this.pendingCrossing = f.speed;
        } else if (this.above && f.speed < clearBelow) this.above = false;
      }
    }
    if (n === 0) return;
    const ok = adapter.writeFrames(chunk);
    if (ok) this.written += n;
    else this.dropped += n;
    if (this.pendingCrossing !== undefined) {
      this.crossings.push({ at: Date.now(), kmh: this.pendingCrossing, delivered: ok });
      this.opts.onCrossing?.(Date.now(), this.pendingCrossing);
      this.pendingCrossing = undefined;
    }
  }
}
