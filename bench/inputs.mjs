// GPIO inputs: how much the input path adds on top of the debounce, and how fast the gpiomon backend
// takes edges from a real process. Imports from dist/ (npm run build first).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { EventBus } = await import(join(root, "dist/core/event-bus.js"));
const { systemClock } = await import(join(root, "dist/core/clock.js"));
const { silentLogger } = await import(join(root, "dist/core/logger.js"));
const { inputsConfigSchema } = await import(join(root, "dist/inputs/config.js"));
const { createInputs } = await import(join(root, "dist/inputs/inputs.js"));
const { GpiomonLine } = await import(join(root, "dist/inputs/gpiomon-line.js"));

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Edge → Trigger on the bus, minus the debounce itself (real clock, simulated line). */
async function edgeToTrigger(samples, debounceMs) {
  const bus = new EventBus();
  const config = inputsConfigSchema.parse({
    gpio: [{ name: "lightbar", role: "lightbar", backend: "simulated", debounceMs, rereadMs: 0 }],
  });
  const inputs = createInputs({ config, bus, clock: systemClock, logger: silentLogger(), mode: "run" });
  await inputs.start();
  const extra = [];
  for (let i = 0; i < samples; i++) {
    for (const active of [true, false]) {
      const got = new Promise((resolve) => {
        const off = bus.on("trigger", (t) => {
          if (t.active === active) {
            off();
            resolve(performance.now());
          }
        });
      });
      const t0 = performance.now();
      inputs.simulate("lightbar", active);
      const t1 = await got;
      if (active) extra.push(t1 - t0 - debounceMs);
    }
  }
  await inputs.stop();
  return extra.sort((a, b) => a - b);
}

/** gpiomon backend: edges per second from a real process printing libgpiod 1.6 lines. */
async function gpiomonThroughput(events) {
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-gpio-"));
  const gpiomon = join(dir, "gpiomon");
  writeFileSync(
    gpiomon,
    `#!/bin/sh
awk 'BEGIN { for (i = 0; i < ${events}; i++) printf "event: %s offset: 17 timestamp: [    1546.%09d]\\n", (i % 2 ? "FALLING EDGE" : " RISING EDGE"), i }'
exec sleep 60\n`,
  );
  const gpioget = join(dir, "gpioget");
  writeFileSync(gpioget, "#!/bin/sh\necho 0\n");
  chmodSync(gpiomon, 0o755);
  chmodSync(gpioget, 0o755);
  const line = new GpiomonLine({
    chip: "gpiochip0",
    line: 17,
    version: 1,
    clock: systemClock,
    commands: { gpiomon, gpioget },
  });
  let count = 0;
  let done;
  const all = new Promise((resolve) => {
    done = resolve;
  });
  const t0 = performance.now();
  await line.open({
    edge: () => {
      count += 1;
      if (count === events) done(performance.now());
    },
    problem: () => {},
  });
  const t1 = await all;
  await line.close();
  rmSync(dir, { recursive: true, force: true });
  return events / ((t1 - t0) / 1000);
}

export async function run({ samples = 200, debounceMs = 20, events = 100_000 } = {}) {
  const extra = await edgeToTrigger(samples, debounceMs);
  const p50 = pct(extra, 50);
  const p99 = pct(extra, 99);
  const rate = await gpiomonThroughput(events);
  return {
    name: "inputs",
    figures: [
      {
        key: "edgeToTriggerExtraP50Ms",
        label: `GPIO edge → trigger on the bus, beyond the ${debounceMs} ms debounce (p50, ${samples} edges)`,
        value: p50,
        unit: "ms",
        target: "≤ 5 ms (inputs share of the trigger → body cam budget)",
        meets: p50 <= 5,
      },
      {
        key: "edgeToTriggerExtraP99Ms",
        label: `GPIO edge → trigger on the bus, beyond the ${debounceMs} ms debounce (p99)`,
        value: p99,
        unit: "ms",
        target: "≤ 5 ms",
        meets: p99 <= 5,
      },
      {
        key: "gpiomonEventsPerSecond",
        label: `gpiomon backend: edges parsed from a real process (${events} lines, libgpiod 1.6 format)`,
        value: Math.round(rate),
        unit: "events/s",
        target: "≥ 10,000 events/s",
        meets: rate >= 10_000,
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
