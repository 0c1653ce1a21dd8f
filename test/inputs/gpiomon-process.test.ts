import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import type { Level } from "../../src/inputs/digital-line.js";
import { GpiomonLine } from "../../src/inputs/gpiomon-line.js";

/**
 * The gpiomon backend against real processes: tiny shell scripts stand in for the libgpiod tools
 * (there is no GPIO chip here), printing exactly what libgpiod 1.6 prints, so spawning, stdout line
 * splitting, exit detection, restart and SIGTERM on close are the real thing.
 */
const dir = mkdtempSync(join(tmpdir(), "camsync-gpiomon-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("gpiomon backend with real processes", () => {
  it("reads, watches edges from a running gpiomon, restarts it when it exits, and kills it on close", async () => {
    const runs = join(dir, "runs");
    writeFileSync(runs, "");
    const gpiomon = script(
      "gpiomon",
      `if [ "$1" = "--version" ]; then echo "gpiomon (libgpiod) v1.6.3"; exit 0; fi
[ "$*" = "-b gpiochip0 17" ] || { echo "bad args: $*" >&2; exit 2; }
echo "$$" >> "${runs}"
n=$(wc -l < "${runs}")
echo "event:  RISING EDGE offset: 17 timestamp: [    1546.123456789]"
sleep 0.05
echo "event: FALLING EDGE offset: 17 timestamp: [    1546.223456789]"
if [ "$n" -eq 1 ]; then echo "gpiomon: error reading line events: No such device" >&2; exit 1; fi
exec sleep 30`,
    );
    const gpioget = script("gpioget", `[ "$*" = "gpiochip0 17" ] || exit 2; echo 0`);
    const line = new GpiomonLine({
      chip: "gpiochip0",
      line: 17,
      version: "auto",
      clock: systemClock,
      commands: { gpiomon, gpioget },
      initialBackoffMs: 50,
      stableMs: 300,
    });
    const edges: Level[] = [];
    const problems: (string | null)[] = [];
    expect(await line.open({ edge: (l) => edges.push(l), problem: (p) => problems.push(p) })).toBe(0);
    // The restarted gpiomon prints its FALLING edge 50 ms after its RISING one; on a loaded machine
    // that can land after the line is declared stable, so wait for both, then check them exactly.
    await until(() => problems.at(-1) === null && edges.length === 4);
    expect(problems[0]).toBe(
      "gpiomon exited (exit 1): gpiomon: error reading line events: No such device; restarting in 50 ms",
    );
    expect(edges).toEqual([1, 0, 1, 0]);
    expect(line.starts).toBe(2);
    const pids = readFileSync(runs, "utf8").trim().split("\n").map(Number);
    expect(pids).toHaveLength(2);
    const running = pids[1] ?? 0;
    expect(alive(running)).toBe(true);
    await line.close();
    expect(alive(running)).toBe(false);
  });

  it("a missing gpiomon binary fails the open with a clear error", async () => {
    const line = new GpiomonLine({
      chip: "gpiochip0",
      line: 17,
      version: "auto",
      clock: systemClock,
      commands: { gpiomon: join(dir, "no-such-gpiomon") },
    });
    await expect(line.open({ edge: () => {}, problem: () => {} })).rejects.toThrow(
      /no-such-gpiomon --version: .*ENOENT/,
    );
  });

  const installed = (() => {
    try {
      return execFileSync("gpiomon", ["--version"], { encoding: "utf8" });
    } catch {
      return null;
    }
  })();

  it.skipIf(installed === null)(
    "the installed libgpiod tools are detected; with no GPIO chip the open fails clearly",
    async () => {
      const line = new GpiomonLine({ chip: "gpiochip0", line: 17, version: "auto", clock: systemClock });
      const err = await line.open({ edge: () => {}, problem: () => {} }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect(line.description).toMatch(/^gpiochip0 line 17 \(gpiomon v[12], gpiochip0\)$/);
      expect((err as Error).message).toMatch(
        /^cannot open gpiochip0 line 17 \(gpiomon v[12], gpiochip0\): gpioget .*failed/,
      );
      await line.close();
    },
  );
});
