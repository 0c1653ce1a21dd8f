import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath } from "../support/cli.js";
import { canFixtures, canFixturesPresent, FORD_DBC, SPEED_CAPTURE } from "../vehicle/dbc-fixtures.js";

/** `camsync can watch` on a configured source: the real speed capture replayed at 10× through the config. */
if (!canFixturesPresent) console.warn(`skipping can watch tests: ${canFixtures} is absent`);

describe.skipIf(!canFixturesPresent)("camsync can watch", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "camsync-can-watch-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints live values, the rule's transition and health from the configured source", () => {
    const config = path.join(dir, "camsync.yaml");
    writeFileSync(
      config,
      `vehicle: { id: unit-12 }
dataDir: ${JSON.stringify(path.join(dir, "data"))}
vehicleBus:
  enabled: true
  source: { type: replay, file: ${JSON.stringify(path.join(canFixtures, "logs", SPEED_CAPTURE))}, speed: 10 }
  dbc: ${JSON.stringify(FORD_DBC)}
  signals: [Veh_V_ActlBrk, Ignition_Status]
  rules:
    - { name: speed-over-60, signal: Veh_V_ActlBrk, op: above, threshold: 60, holdMs: 100 }
`,
    );
    const r = spawnSync(
      process.execPath,
      [cliPath, "can", "watch", "--config", config, "--seconds", "3.5", "--json"],
      {
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const speeds = lines.filter((l) => l.type === "signal" && l.name === "Veh_V_ActlBrk").map((l) => l.value);
    // 0x415's first frame: 0x0ADC hundredths; the capture ends at ~76 km/h.
    expect(speeds[0]).toBe(27.8);
    expect(speeds.length).toBeGreaterThan(5);
    expect(Math.max(...(speeds as number[]))).toBeGreaterThan(75);
    expect(lines.find((l) => l.name === "Ignition_Status")).toMatchObject({ value: "Run" });
    const triggers = lines.filter((l) => l.type === "trigger");
    expect(triggers).toHaveLength(1);
    expect(triggers[0]).toMatchObject({ origin: { kind: "can", id: "speed-over-60" }, active: true });
    expect(String(triggers[0]?.reason)).toMatch(/^Veh_V_ActlBrk \d+(\.\d+)? kph > 60 for 100 ms$/);
    expect(lines.some((l) => l.type === "health" && l.detail === "decoding")).toBe(true);
  });

  it("refuses a config whose signals are not in the DBC, naming them", () => {
    const config = path.join(dir, "bad.yaml");
    writeFileSync(
      config,
      `vehicle: { id: unit-12 }
dataDir: ${JSON.stringify(path.join(dir, "data"))}
vehicleBus:
  source: { type: replay, file: ${JSON.stringify(path.join(canFixtures, "logs", SPEED_CAPTURE))} }
  dbc: ${JSON.stringify(FORD_DBC)}
  signals: [Veh_V_ActlBrk, Speed_Not_Here]
`,
    );
    const r = spawnSync(process.execPath, [cliPath, "can", "watch", "--config", config, "--seconds", "1"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("signal Speed_Not_Here is not in the DBC file");
  });
});
