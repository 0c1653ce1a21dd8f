import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDbc } from "../../src/vehicle/dbc.js";
import type { RuleTransition } from "../../src/vehicle/rule.js";
import { type RuleEvent, RuleSet } from "../../src/vehicle/rule-set.js";
import { ruleSchema } from "../../src/vehicle/signal-config.js";
import { FrameDecoder } from "../../src/vehicle/signal-decoder.js";
import { selectSignals } from "../../src/vehicle/signal-selection.js";
import {
  canFixtures,
  canFixturesPresent,
  FORD_DBC,
  handSpeed0x415,
  type RawFrame,
  readCapture,
  SPEED_CAPTURE,
  STARTUP_CAPTURE,
  toCanFrame,
} from "./dbc-fixtures.js";

/**
 * Trigger rules on the real Ford captures, decoded through the DBC, in the captures' own time. The expected
 * transition times come from the raw bytes with hand-written bit arithmetic, not from the decoder.
 */
if (!canFixturesPresent) console.warn(`skipping rule tests on captures: ${canFixtures} is absent`);

describe.skipIf(!canFixturesPresent)("trigger rules on real Ford captures", () => {
  const dbc = canFixturesPresent ? parseDbc(readFileSync(FORD_DBC, "utf8")) : undefined;

  function runRules(capture: RawFrame[], rules: Record<string, unknown>[]): RuleTransition[] {
    const configs = rules.map((r) => ruleSchema.parse(r));
    const { signals } = selectSignals(dbc, [], configs);
    const decoder = new FrameDecoder(signals);
    const startedAt = (capture[0]?.t ?? 0) * 1000;
    const set = new RuleSet(configs, (n) => signals.find((s) => s.name === n), startedAt);
    const ruleIndex = signals.map((s) => set.signalIndex(s.name) ?? -1);
    const out: RuleEvent[] = [];
    for (const r of capture) {
      const at = r.t * 1000;
      decoder.decode(toCanFrame(r), (i, v) => {
        const idx = ruleIndex[i] ?? -1;
        if (idx >= 0) set.update(idx, v, at, out);
      });
    }
    set.advance((capture.at(-1)?.t ?? 0) * 1000, out);
    expect(out.filter((e) => e.kind !== "transition")).toEqual([]); // no signal went silent
    return out.filter((e): e is RuleTransition => e.kind === "transition");
  }

  /** Timestamps (ms) of the frames of `id` where `cond` of the hand-decoded bytes first becomes true / false. */
  function edges(capture: RawFrame[], id: number, cond: (b: number[]) => boolean): [number, boolean][] {
    const out: [number, boolean][] = [];
    let last: boolean | undefined;
    for (const r of capture) {
      if (r.id !== id) continue;
      const c = cond(r.bytes);
      if (c !== last && (last !== undefined || c)) out.push([r.t * 1000, c]);
      last = c;
    }
    return out;
  }

  it("speed above 60 for 1 s fires 1 s after the first frame over 60 km/h (speed capture)", () => {
    const capture = readCapture(SPEED_CAPTURE);
    const crossing = edges(capture, 0x415, (b) => handSpeed0x415(b) > 60);
    expect(crossing).toEqual([[1487342035700.884, true]]);
    const got = runRules(capture, [
      { name: "fast", signal: "Veh_V_ActlBrk", op: "above", threshold: 60, clearBelow: 55, holdMs: 1000 },
    ]);
    expect(got.map((t) => [t.rule, t.active, t.at])).toEqual([["fast", true, 1487342035700.884 + 1000]]);
    expect(got[0]?.reason).toMatch(/^Veh_V_ActlBrk 6\d(\.\d+)? kph > 60 for 1 s$/);
  });

  it("ignition Run, braking and the stop lamp follow the start-up capture frame by frame", () => {
    const capture = readCapture(STARTUP_CAPTURE);
    const got = runRules(capture, [
      { name: "ignition-run", signal: "Ignition_Status", op: "equals", value: "Run" },
      { name: "braking", signal: "BpedDrvAppl_D_Actl", op: "equals", value: "Driver_Braking" },
      { name: "stop-lamp", signal: "StopLghtOn_B_Stat", op: "bit", bit: 0 },
      { name: "not-park", signal: "GearLvrPos_D_Actl", op: "notEquals", value: "Park" },
    ]);
    const byRule = (name: string) => got.filter((t) => t.rule === name).map((t) => [t.at, t.active]);
    // Ignition_Status is the high nibble of 0x3B3 byte 0; Run = 4.
    expect(byRule("ignition-run")).toEqual(edges(capture, 0x3b3, (b) => (b[0] ?? 0) >> 4 === 4));
    const [run] = byRule("ignition-run");
    expect(byRule("ignition-run")).toHaveLength(1);
    expect(run?.[0]).toBeCloseTo(1489419475556.848, 2); // the frame (1489419475.556848) with 0x4_ in byte 0
    // BpedDrvAppl_D_Actl is bits 5..4 of 0x165 byte 0; Driver_Braking = 2.
    expect(byRule("braking")).toEqual(edges(capture, 0x165, (b) => (((b[0] ?? 0) >> 4) & 3) === 2));
    expect(byRule("braking").map(([, a]) => a)).toEqual([true, false]);
    // StopLghtOn_B_Stat is bit 0 of 0x3C3 byte 1.
    expect(byRule("stop-lamp")).toEqual(edges(capture, 0x3c3, (b) => ((b[1] ?? 0) & 1) === 1));
    // The car stays in Park: the rule never fires.
    expect(byRule("not-park")).toEqual([]);
  });
});
