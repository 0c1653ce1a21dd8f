import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ciSeed } from "../../soak/ci-seeds.mjs";
import type { InvariantResult } from "../../soak/invariants.mjs";
import { FAULT_KINDS, STARTUP_MISTAKES } from "../../soak/schedule.mjs";
import { repoRoot } from "../support/cli.js";

// The chaos soak in its short CI form (docs/reliability.md): the real daemon, Mosquitto, ffmpeg, an SLCAN
// PTY and 8 reference body cams under every fault kind for a few minutes. The seed comes from a fixed,
// committed list that rotates (soak/ci-seeds.mjs) and is printed, so a red run is replayable; SOAK_SEED
// picks one, SOAK_MINUTES makes it longer.
const minutes = process.env.SOAK_MINUTES ?? "2.5";
const chosen = ciSeed(process.env, Date.now());
const seed = String(chosen.seed);
const replay = `npm run soak -- --seed ${seed} --minutes ${minutes}`;
process.stdout.write(`soak (CI form): seed ${seed} (${chosen.source}); replay: ${replay}\n`);

interface Report {
  ok: boolean;
  seed: number;
  dir: string;
  coverage: Record<string, unknown>;
  counts: { faults: Record<string, number>; injections: Record<string, number>; events: number };
  invariants: InvariantResult[];
}

function runSoak(reportPath: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, "soak/run.mjs"), "--minutes", minutes, "--seed", seed, "--report", reportPath],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (c) => {
      output += c;
    });
    child.stderr.on("data", (c) => {
      output += c;
    });
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("chaos soak (short form)", () => {
  it(
    `every invariant holds under every fault kind (seed ${seed}, ${minutes} min; replay: ${replay})`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "camsync-soak-report-"));
      try {
        const reportPath = join(dir, "report.json");
        const { code, output } = await runSoak(reportPath);
        let report: Report;
        try {
          report = JSON.parse(readFileSync(reportPath, "utf8")) as Report;
        } catch {
          throw new Error(`the soak did not produce a report (exit ${code}):\n${output}`);
        }
        // Nothing may pass vacuously: every component ran and every fault kind was injected.
        expect(report.coverage, "components wired into the daemon").toMatchObject({
          gpio: true,
          can: true,
          recorder: true,
          bodycam: true,
          evidence: true,
          slcanOpened: true,
        });
        for (const kind of [...FAULT_KINDS, ...STARTUP_MISTAKES])
          expect(report.counts.faults[kind] ?? 0, `fault ${kind}`).toBeGreaterThan(0);
        expect(report.counts.events).toBeGreaterThan(0);
        const failed = report.invariants.filter((i) => !i.ok);
        expect(
          failed.map((i) => `${i.name}:\n  ${i.failures.join("\n  ")}`),
          `soak output:\n${output}`,
        ).toEqual([]);
        for (const i of report.invariants) expect(i.checked, i.name).toBeGreaterThan(0);
        expect(code).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    10 * 60_000,
  );
});
