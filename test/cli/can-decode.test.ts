import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath, runCli } from "../support/cli.js";
import {
  canFixtures,
  canFixturesPresent,
  FORD_DBC,
  handSpeed0x415,
  type RawFrame,
  readCapture,
  SPEED_CAPTURE,
  STARTUP_CAPTURE,
} from "../vehicle/dbc-fixtures.js";

/**
 * `camsync can decode` run as the installer runs it (the built CLI), on the real Ford captures. The
 * expected lines are built here from the raw bytes with hand-written bit arithmetic per signal.
 */
if (!canFixturesPresent) console.warn(`skipping can decode tests: ${canFixtures} is absent`);
const log = (name: string) => path.join(canFixtures, "logs", name);
const parseLines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const IGNITION = new Map([
  [0, "Unknown"],
  [1, "Off"],
  [2, "Accessory"],
  [4, "Run"],
  [8, "Start"],
  [15, "Invalid"],
]);
const GEAR = new Map([
  [0, "Park"],
  [1, "Reverse"],
  [2, "Neutral"],
  [3, "Drive"],
]);

/** What the tool must print for these three signals: one line per change of each. */
function expectedLines(capture: RawFrame[]): Record<string, unknown>[] {
  const last = new Map<string, number>();
  const out: Record<string, unknown>[] = [];
  const add = (r: RawFrame, id: string, signal: string, value: number, label?: string) => {
    if (last.get(signal) === value) return;
    last.set(signal, value);
    out.push({ t: r.t, id, signal, value, ...(label !== undefined ? { label } : {}) });
  };
  for (const r of capture) {
    if (r.id === 0x415) add(r, "0x415", "Veh_V_ActlBrk", handSpeed0x415(r.bytes));
    if (r.id === 0x3b3) {
      const ign = (r.bytes[0] ?? 0) >> 4; // Ignition_Status 7|4@0
      add(r, "0x3B3", "Ignition_Status", ign, IGNITION.get(ign));
    }
    if (r.id === 0x230) {
      const gear = ((r.bytes[1] ?? 0) >> 1) & 0xf; // GearLvrPos_D_Actl 12|4@0
      add(r, "0x230", "GearLvrPos_D_Actl", gear, GEAR.get(gear));
    }
  }
  return out;
}

describe.skipIf(!canFixturesPresent)("camsync can decode", () => {
  const signals = "--signals=Veh_V_ActlBrk,Ignition_Status,GearLvrPos_D_Actl";

  it.each([SPEED_CAPTURE, STARTUP_CAPTURE])(
    "prints one JSON line per change of a decoded value: %s",
    (file) => {
      const r = runCli(["can", "decode", "--dbc", FORD_DBC, signals, log(file)]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const expected = expectedLines(readCapture(file));
      expect(expected.length).toBeGreaterThan(3);
      expect(parseLines(r.stdout)).toEqual(expected);
    },
  );

  it("starts with the line from the issue for the speed capture", () => {
    const r = runCli(["can", "decode", "--dbc", FORD_DBC, "--signals", "Veh_V_ActlBrk", log(SPEED_CAPTURE)]);
    expect(r.stdout.split("\n")[0]).toBe(
      '{"t":1487342025.622147,"id":"0x415","signal":"Veh_V_ActlBrk","value":27.8}',
    );
  });

  it("decodes every DBC signal without --signals (ignition Off → Start → Run in the start-up capture)", () => {
    // Several MB of output: more than runCli's default buffer.
    const r = spawnSync(
      process.execPath,
      [cliPath, "can", "decode", "--dbc", FORD_DBC, log(STARTUP_CAPTURE)],
      {
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    expect(r.status).toBe(0);
    const lines = parseLines(r.stdout);
    expect(new Set(lines.map((l) => l.id)).size).toBeGreaterThan(40);
    expect(lines.filter((l) => l.signal === "Ignition_Status").map((l) => [l.t, l.label])).toEqual([
      [1489419474.316725, "Off"],
      [1489419474.727584, "Start"],
      [1489419475.556848, "Run"],
    ]);
  });

  it("reads stdin, reports malformed lines with their line number and exits 1", () => {
    const input =
      "(1.5) can0 415#0ADC000000000000\nnot a candump line\n(2.0) can0 415#0ADC000000000000\n(2.5) can0 415#1770000000000000\n";
    const r = runCli(["can", "decode", "--dbc", FORD_DBC, "--signals", "Veh_V_ActlBrk", "-"], { input });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("-:2: no (timestamp): not a candump line");
    expect(parseLines(r.stdout)).toEqual([
      { t: 1.5, id: "0x415", signal: "Veh_V_ActlBrk", value: 27.8 },
      { t: 2.5, id: "0x415", signal: "Veh_V_ActlBrk", value: 60 }, // 0x1770 = 6000
    ]);
  });

  it("names unknown and ambiguous signals (exit 1) and wants --dbc (exit 2)", () => {
    const r = runCli([
      "can",
      "decode",
      "--dbc",
      FORD_DBC,
      "--signals",
      "Nope,HandsOffCnfm_B_Rq",
      log(SPEED_CAPTURE),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("signal Nope is not in the DBC file");
    expect(r.stderr).toContain("write Message.HandsOffCnfm_B_Rq");
    expect(runCli(["can", "decode", log(SPEED_CAPTURE)]).code).toBe(2);
    const missing = runCli(["can", "decode", "--dbc", FORD_DBC, path.join(canFixtures, "absent.candump")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*absent\.candump/);
  });
});
