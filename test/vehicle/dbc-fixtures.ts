import { readFileSync } from "node:fs";
import path from "node:path";
import type { CanFrame } from "../../src/vehicle/can-frame.js";
import { fixturePresent, sharedFixtures } from "../support/fixtures.js";

/** The shared real-world CAN fixtures (../shared/fixtures/can), resolved from the repository root. */
export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const canFixtures = path.join(sharedFixtures, "can");
export const FORD_DBC = path.join(canFixtures, "dbc/ford_lincoln_base_pt.dbc");
export const SPEED_CAPTURE = "ford_fusion_2017_speed_30_to_80kmh.candump";
export const STARTUP_CAPTURE = "ford_fusion_2017_turning_on.candump";
export const canFixturesPresent = fixturePresent(FORD_DBC);

export interface RawFrame {
  /** Capture timestamp, epoch seconds. */
  t: number;
  id: number;
  bytes: number[];
}

/**
 * Test-side reading of the fixtures' `candump -L` lines, `(ts) iface ID#HEX` (the captures hold only
 * standard-id data frames). Independent of the product's parsers on purpose.
 */
export function readCapture(name: string): RawFrame[] {
  return readFileSync(path.join(canFixtures, "logs", name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [ts = "", , frame = ""] = l.split(" ");
      const [id = "", hex = ""] = frame.split("#");
      const bytes = (hex.match(/../g) ?? []).map((h) => Number.parseInt(h, 16));
      return { t: Number(ts.slice(1, -1)), id: Number.parseInt(id, 16), bytes };
    });
}

export const toCanFrame = (r: RawFrame): CanFrame => ({
  id: r.id,
  extended: false,
  remote: false,
  dlc: r.bytes.length,
  data: Uint8Array.from(r.bytes),
  timestamp: r.t,
});

/** 0x415 Veh_V_ActlBrk 7|16@0+ ×0.01 km/h, by hand: byte 0 high, byte 1 low, in hundredths. */
export function handSpeed0x415(bytes: ArrayLike<number>): number {
  return (((bytes[0] ?? Number.NaN) << 8) | (bytes[1] ?? Number.NaN)) / 100;
}
