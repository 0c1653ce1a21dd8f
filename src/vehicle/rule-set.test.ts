import { describe, expect, it } from "vitest";
import { RuleConfigError } from "./rule.js";
import { type RuleEvent, RuleSet } from "./rule-set.js";
import type { SignalDefinition } from "./signal.js";
import { type RuleConfig, ruleSchema } from "./signal-config.js";

const T0 = 1_700_000_000_000;

const speedDef: SignalDefinition = {
  name: "Veh_V_ActlBrk",
  messageId: 0x415,
  extended: false,
  startBit: 7,
  length: 16,
  byteOrder: "motorola",
  signed: false,
  valueType: "integer",
  scale: 0.01,
  offset: 0,
  unit: "km/h",
  valueTable: new Map(),
};
const ignitionDef: SignalDefinition = {
  ...speedDef,
  name: "Ignition_Status",
  messageId: 0x3b3,
  length: 4,
  scale: 1,
  unit: "SED",
  valueTable: new Map([
    [0, "Unknown"],
    [1, "Off"],
    [2, "Accessory"],
    [4, "Run"],
    [8, "Start"],
  ]),
};
const wigwagDef: SignalDefinition = {
  ...speedDef,
  name: "GenericSwtch2_No_Actl",
  length: 3,
  scale: 1,
  unit: "",
};
const defs = new Map([speedDef, ignitionDef, wigwagDef].map((d) => [d.name, d]));

const rule = (r: Record<string, unknown>): RuleConfig => ruleSchema.parse({ timeoutMs: 1000, ...r });

/** Feed [msSinceT0, value] samples (or ["advance", ms]) and collect what happened, times relative to T0. */
function run(configs: RuleConfig[], steps: ([number, number] | ["advance", number])[], signal?: string) {
  const set = new RuleSet(configs, (s) => defs.get(s), T0);
  const out: RuleEvent[] = [];
  const idx = set.signalIndex(signal ?? configs[0]?.signal ?? "") ?? -1;
  for (const [a, b] of steps) {
    if (a === "advance") set.advance(T0 + b, out);
    else set.update(idx, b, T0 + a, out);
  }
  const events = out.map((e) =>
    e.kind === "transition"
      ? { kind: e.kind, rule: e.rule, active: e.active, at: e.at - T0, reason: e.reason }
      : { kind: e.kind, signal: e.signal, at: e.at - T0 },
  );
  return { set, events };
}

const speeding = rule({
  name: "speeding",
  signal: "Veh_V_ActlBrk",
  op: "above",
  threshold: 130,
  clearBelow: 120,
  holdMs: 3000,
  timeoutMs: 10_000,
});
/** The same rule with a short signal timeout. */
const speedingWatched = rule({ ...speeding, timeoutMs: 1000 });

describe("above with hysteresis and hold time (speed above 130 km/h for 3 s, clear below 120)", () => {
  it("fires exactly when the value has been above the threshold for the hold time", () => {
    const samples: [number, number][] = [];
    for (let t = 0; t <= 5000; t += 100) samples.push([t, t < 1000 ? 125 : 131.2]);
    const { events } = run([speeding], samples);
    expect(events).toEqual([
      {
        kind: "transition",
        rule: "speeding",
        active: true,
        at: 4000,
        reason: "Veh_V_ActlBrk 131.2 km/h > 130 for 3 s",
      },
    ]);
  });

  it("does not fire when the value dips to or below the threshold within the hold time", () => {
    const { events } = run(
      [speeding],
      [
        [0, 131],
        [2900, 131],
        [2950, 130],
        [3100, 135],
        [5000, 135],
      ],
    );
    expect(events).toEqual([]);
  });

  it("fires at since + hold when time advances between sparse samples (value held)", () => {
    const { events } = run(
      [speeding],
      [
        [0, 140],
        ["advance", 2999],
        ["advance", 3500],
      ],
    );
    expect(events.map((e) => e.at)).toEqual([3000]);
  });

  it("stays active inside the hysteresis band and clears below clearBelow", () => {
    const { events, set } = run(
      [speeding],
      [
        [0, 140],
        [3000, 140],
        [4000, 125], // between 120 and 130: still active
        [5000, 121],
        [6000, 119.5],
      ],
    );
    expect(events).toEqual([
      {
        kind: "transition",
        rule: "speeding",
        active: true,
        at: 3000,
        reason: "Veh_V_ActlBrk 140 km/h > 130 for 3 s",
      },
      {
        kind: "transition",
        rule: "speeding",
        active: false,
        at: 6000,
        reason: "Veh_V_ActlBrk 119.5 km/h < 120",
      },
    ]);
    expect(set.status()[0]).toMatchObject({ state: "clear", asserted: false, value: 119.5 });
  });

  it("without clearBelow clears at or below the threshold; clearHoldMs delays the clear", () => {
    const r = rule({ name: "fast", signal: "Veh_V_ActlBrk", op: "above", threshold: 60, clearHoldMs: 500 });
    const { events } = run(
      [r],
      [
        [0, 61],
        [100, 60],
        [400, 61], // back above: clear abandoned
        [500, 59],
        [900, 58],
        [1000, 58],
      ],
    );
    expect(events).toEqual([
      { kind: "transition", rule: "fast", active: true, at: 0, reason: "Veh_V_ActlBrk 61 km/h > 60" },
      {
        kind: "transition",
        rule: "fast",
        active: false,
        at: 1000,
        reason: "Veh_V_ActlBrk 58 km/h <= 60 for 500 ms",
      },
    ]);
  });
});

describe("below", () => {
  it("fires under the threshold and clears above clearAbove", () => {
    const r = rule({
      name: "stopped",
      signal: "Veh_V_ActlBrk",
      op: "below",
      threshold: 1,
      clearAbove: 5,
      holdMs: 200,
    });
    const { events } = run(
      [r],
      [
        [0, 10],
        [100, 0.5],
        [300, 0],
        [400, 3],
        [500, 6],
      ],
    );
    expect(events.map((e) => [e.kind === "transition" && e.active, e.at])).toEqual([
      [true, 300],
      [false, 500],
    ]);
  });
});

describe("equals with value-table names", () => {
  const ign = rule({ name: "ignition-run", signal: "Ignition_Status", op: "equals", value: "Run" });

  it("fires on Ignition_Status == Run and clears when it leaves Run", () => {
    const { events } = run(
      [ign],
      [
        [0, 1],
        [100, 8],
        [200, 4],
        [300, 4],
        [400, 2],
      ],
    );
    expect(events).toEqual([
      { kind: "transition", rule: "ignition-run", active: true, at: 200, reason: "Ignition_Status == Run" },
      {
        kind: "transition",
        rule: "ignition-run",
        active: false,
        at: 400,
        reason: "Ignition_Status == Accessory, not Run",
      },
    ]);
  });

  it("accepts lists and numbers, and notEquals", () => {
    const anyOn = rule({ name: "on", signal: "Ignition_Status", op: "equals", value: ["Run", 8] });
    expect(
      run(
        [anyOn],
        [
          [0, 8],
          [100, 4],
          [200, 1],
        ],
      ).events.map((e) => e.at),
    ).toEqual([0, 200]);
    const notOff = rule({ name: "not-off", signal: "Ignition_Status", op: "notEquals", value: "Off" });
    expect(
      run(
        [notOff],
        [
          [0, 1],
          [100, 2],
        ],
      ).events,
    ).toEqual([
      {
        kind: "transition",
        rule: "not-off",
        active: true,
        at: 100,
        reason: "Ignition_Status == Accessory, not Off",
      },
    ]);
  });

  it("rejects a name the value table does not have, listing the known ones", () => {
    const bad = rule({ name: "bad", signal: "Ignition_Status", op: "equals", value: "Running" });
    expect(() => new RuleSet([bad], (s) => defs.get(s), T0)).toThrow(RuleConfigError);
    expect(() => new RuleSet([bad], (s) => defs.get(s), T0)).toThrow(
      "rule bad: Ignition_Status has no value named 'Running' (known: Unknown, Off, Accessory, Run, Start)",
    );
  });
});

describe("bit flags", () => {
  it("fires while the bit is set (Ford police wig-wag switch, bit 1)", () => {
    const r = rule({ name: "wigwag", signal: "GenericSwtch2_No_Actl", op: "bit", bit: 1 });
    const { events } = run(
      [r],
      [
        [0, 0],
        [100, 1], // bit 0 only
        [200, 3],
        [300, 2],
        [400, 4],
      ],
    );
    expect(events).toEqual([
      {
        kind: "transition",
        rule: "wigwag",
        active: true,
        at: 200,
        reason: "GenericSwtch2_No_Actl 3: bit 1 set",
      },
      {
        kind: "transition",
        rule: "wigwag",
        active: false,
        at: 400,
        reason: "GenericSwtch2_No_Actl 4: bit 1 clear",
      },
    ]);
  });
});

describe("signal timeout", () => {
  it("a signal that never arrives is lost timeoutMs after start", () => {
    const { events, set } = run(
      [speedingWatched],
      [
        ["advance", 999],
        ["advance", 1001],
      ],
    );
    expect(events).toEqual([{ kind: "signal-lost", signal: "Veh_V_ActlBrk", at: 1000 }]);
    expect(set.lostSignals()).toEqual(["Veh_V_ActlBrk"]);
    expect(set.status()[0]?.state).toBe("unknown");
  });

  it("silence makes the value unknown: a pending fire is abandoned, an active rule stays asserted", () => {
    const pending = run(
      [speedingWatched],
      [
        [0, 140],
        [900, 140],
        ["advance", 2500],
        [2600, 140],
        [3500, 140],
      ],
    );
    // Lost at 1900 (before 0 + 3000): no fire; restored at 2600, the hold restarts (would fire at 5600).
    expect(pending.events).toEqual([
      { kind: "signal-lost", signal: "Veh_V_ActlBrk", at: 1900 },
      { kind: "signal-restored", signal: "Veh_V_ActlBrk", at: 2600 },
    ]);
    const active = run(
      [speedingWatched],
      [
        [0, 140],
        [1000, 140],
        [2000, 140],
        [3000, 140],
        ["advance", 4500],
        [4600, 100],
      ],
    );
    expect(active.events.map((e) => [e.kind, e.at])).toEqual([
      ["transition", 3000],
      ["signal-lost", 4000],
      ["signal-restored", 4600],
      ["transition", 4600],
    ]);
  });

  it("notices a gap from the next sample alone (no advance in between)", () => {
    const { events } = run(
      [speedingWatched],
      [
        [0, 140],
        [5000, 140],
      ],
    );
    expect(events.map((e) => [e.kind, e.at])).toEqual([
      ["signal-lost", 1000],
      ["signal-restored", 5000],
    ]);
  });

  it("uses the shortest timeout of the rules sharing a signal", () => {
    const slow = rule({ name: "slow", signal: "Veh_V_ActlBrk", op: "below", threshold: 5, timeoutMs: 5000 });
    const { events } = run(
      [slow, speedingWatched],
      [
        [0, 50],
        ["advance", 1200],
      ],
    );
    expect(events).toEqual([{ kind: "signal-lost", signal: "Veh_V_ActlBrk", at: 1000 }]);
  });
});

describe("external signals", () => {
  it("rules on gps.speedKmh work without a signal definition", () => {
    const r = rule({ name: "gps-fast", signal: "gps.speedKmh", op: "above", threshold: 100, holdMs: 1000 });
    const { events } = run(
      [r],
      [
        [0, 101],
        [1000, 102],
      ],
    );
    expect(events).toEqual([
      {
        kind: "transition",
        rule: "gps-fast",
        active: true,
        at: 1000,
        reason: "gps.speedKmh 101 km/h > 100 for 1 s",
      },
    ]);
  });
});
