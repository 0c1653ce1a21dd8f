import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import type { Decision } from "../../src/core/activation.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/logger.js";
import { Daemon } from "../../src/daemon/daemon.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function daemon() {
  const dir = mkdtempSync(join(tmpdir(), "camsync-inputs-daemon-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const r = validateConfig({
    vehicle: { id: "unit7" },
    dataDir: dir,
    activation: { postRollSeconds: 5 },
    inputs: {
      gpio: [
        {
          name: "lightbar",
          role: "lightbar",
          chip: "pinctrl-bcm2711",
          line: 17,
          activeLow: true,
          debounceMs: 20,
        },
        {
          name: "button",
          role: "button",
          chip: "pinctrl-bcm2711",
          line: 27,
          debounceMs: 20,
          longPressMs: 400,
        },
      ],
    },
    control: { statusPage: { enabled: false } },
  });
  if (!r.ok) throw new Error(r.problems.join("\n"));
  const d = new Daemon({
    config: r.config,
    logger: silentLogger(),
    clock: systemClock,
    mode: "demo",
    env: {},
  });
  await d.start();
  cleanups.push(() => d.stop());
  const decisions: Decision[] = [];
  d.bus.on("decision", (x) => decisions.push(x));
  const next = (type: Decision["type"]) =>
    new Promise<Decision>((resolve, reject) => {
      const t0 = Date.now();
      const poll = () => {
        const found = decisions.find((x) => x.type === type);
        if (found) resolve(found);
        else if (Date.now() - t0 > 5000)
          reject(new Error(`no ${type} decision; got ${decisions.map((x) => x.type)}`));
        else setTimeout(poll, 5);
      };
      poll();
    });
  return { d, decisions, next };
}

describe("GPIO inputs in the daemon (demo mode, simulated lines)", () => {
  it("light bar starts the event; a short press bookmarks it; holding the button stops it before release", async () => {
    const { d, next, decisions } = await daemon();
    expect(await d.control.dispatch({ op: "simulate", input: "lightbar", active: true })).toEqual({
      ok: true,
      result: { input: "lightbar", active: true },
    });
    const start = await next("event-start");
    expect(start).toMatchObject({ origin: { kind: "lightbar", id: "lightbar" } });
    expect(start.reason).toBe("lightbar input 'lightbar' (line low, activeLow) became active");

    expect((await d.control.dispatch({ op: "press", input: "button", holdMs: 100 })).ok).toBe(true);
    const mark = await next("mark");
    expect(mark).toMatchObject({ origin: { kind: "button", id: "button" } });

    const pressedAt = Date.now();
    expect((await d.control.dispatch({ op: "press", input: "button", holdMs: 1500 })).ok).toBe(true);
    const stop = await next("stop-requested");
    expect(stop).toMatchObject({ origin: { kind: "button", id: "button" } });
    expect(stop.at - pressedAt).toBeGreaterThanOrEqual(390);
    expect(stop.at - pressedAt).toBeLessThan(1500);
    expect(decisions.filter((x) => x.type === "ignored")).toEqual([]);

    const status = d.status() as { components: { inputs: { gpio: { name: string; backend: string }[] } } };
    expect(status.components.inputs.gpio.map((g) => [g.name, g.backend])).toEqual([
      ["lightbar", "simulated"],
      ["button", "simulated"],
    ]);
    expect(await d.control.dispatch({ op: "simulate", input: "horn", active: true })).toEqual({
      ok: false,
      error: "no GPIO input named 'horn' (inputs: lightbar, button)",
    });
  });
});
