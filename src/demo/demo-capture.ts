/**
 * The demo's synthetic CAN capture (`config/demo-can.candump`, `candump -L` format): one minute of a
 * patrol car that waits, accelerates hard past the demo's 120 km/h speed rule, runs with its emergency
 * lights on, and slows down again. Replayed in a loop by the demo. Two messages, defined inline in
 * config/demo.yaml:
 *   0x0D1 VehicleSpeed, 10 Hz: bytes 0–1 little-endian unsigned, 0.01 km/h per bit
 *   0x3B3 BodyLights,    5 Hz: byte 0 bit 0 = emergency lights on, bit 1 = headlights on
 */
export const DEMO_CAPTURE_SECONDS = 60;
export const SPEED_ID = 0x0d1;
export const LIGHTS_ID = 0x3b3;

/** The drive: stopped 15 s, 0 → 140 km/h by 35 s, 140 until 45 s, back to 0 at 60 s. */
export function demoSpeedKmh(t: number): number {
  if (t < 15) return 0;
  if (t < 35) return ((t - 15) / 20) * 140;
  if (t < 45) return 140;
  return Math.max(0, ((60 - t) / 15) * 140);
}

/** Emergency lights from 28 s to 52 s; headlights on throughout. */
export function demoLightsByte(t: number): number {
  return (t >= 28 && t < 52 ? 0b01 : 0) | 0b10;
}

const hex = (n: number, digits: number) => n.toString(16).toUpperCase().padStart(digits, "0");

function line(at: number, id: number, bytes: number[]): string {
  return `(${at.toFixed(6)}) can0 ${hex(id, 3)}#${bytes.map((b) => hex(b, 2)).join("")}`;
}

/** The capture's lines, starting at `startEpochSeconds` (fixed, so the file is reproducible). */
export function demoCaptureLines(startEpochSeconds = 1_795_700_000): string[] {
  const out: string[] = [];
  for (let tick = 0; tick < DEMO_CAPTURE_SECONDS * 10; tick++) {
    const t = tick / 10;
    const raw = Math.round(demoSpeedKmh(t) * 100);
    out.push(line(startEpochSeconds + t, SPEED_ID, [raw & 0xff, raw >> 8, 0, 0, 0, 0, 0, 0]));
    if (tick % 2 === 0)
      out.push(line(startEpochSeconds + t + 0.004, LIGHTS_ID, [demoLightsByte(t), 0, 0, 0]));
  }
  return out;
}
