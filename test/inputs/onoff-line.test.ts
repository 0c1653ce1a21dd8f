import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { Level } from "../../src/inputs/digital-line.js";
import { OnoffLine, type SysfsGpio } from "../../src/inputs/onoff-line.js";
import { pi4, pi5, removeFakeSysfs } from "./fake-sysfs.js";

afterAll(removeFakeSysfs);

class FakeGpio implements SysfsGpio {
  value = 0;
  callback: ((err: Error | null | undefined, value: number) => void) | null = null;
  unexported = false;
  constructor(readonly gpio: number) {}
  readSync(): number {
    return this.value;
  }
  watch(callback: (err: Error | null | undefined, value: number) => void): void {
    this.callback = callback;
  }
  unwatchAll(): void {
    this.callback = null;
  }
  unexport(): void {
    this.unexported = true;
  }
  edge(value: number): void {
    this.value = value;
    this.callback?.(null, value);
  }
}

describe("OnoffLine", () => {
  it("opens onoff's Gpio on the resolved sysfs number (Pi 5: pinctrl-rp1 line 17 → 588) and relays edges", async () => {
    const made: FakeGpio[] = [];
    const line = new OnoffLine({
      chip: "pinctrl-rp1",
      line: 17,
      sysfsRoot: pi5(),
      gpioFactory: async (n) => {
        const g = new FakeGpio(n);
        g.value = 1;
        made.push(g);
        return g;
      },
    });
    const edges: Level[] = [];
    const problems: (string | null)[] = [];
    expect(await line.open({ edge: (l) => edges.push(l), problem: (p) => problems.push(p) })).toBe(1);
    expect(made.map((g) => g.gpio)).toEqual([588]);
    expect(line.description).toBe("pinctrl-rp1 line 17 (sysfs gpio588)");
    const gpio = made[0] as FakeGpio;
    gpio.edge(0);
    expect(edges).toEqual([0]);
    expect(line.read()).toBe(0);
    gpio.callback?.(new Error("EPOLLERR"), 0);
    expect(problems).toEqual(["pinctrl-rp1 line 17 (sysfs gpio588): EPOLLERR"]);
    gpio.edge(1);
    expect(problems).toEqual(["pinctrl-rp1 line 17 (sysfs gpio588): EPOLLERR", null]);
    expect(edges).toEqual([0, 1]);
    await line.close();
    expect(gpio.unexported).toBe(true);
    expect(gpio.callback).toBeNull();
    expect(() => line.read()).toThrow(/is not open/);
  });

  it("a chip that is not there fails the open before touching onoff", async () => {
    let called = false;
    const line = new OnoffLine({
      chip: "pinctrl-rp1",
      line: 17,
      sysfsRoot: pi4(),
      gpioFactory: async (n) => {
        called = true;
        return new FakeGpio(n);
      },
    });
    await expect(line.open({ edge: () => {}, problem: () => {} })).rejects.toThrow(
      /no GPIO chip labelled or named 'pinctrl-rp1'; found: gpiochip0 \[pinctrl-bcm2711\]/,
    );
    expect(called).toBe(false);
  });

  it.skipIf(existsSync("/sys/class/gpio/export"))(
    "the real onoff Gpio fails clearly where the kernel has no sysfs GPIO",
    async () => {
      const line = new OnoffLine({ chip: "pinctrl-bcm2711", line: 17, sysfsRoot: pi4() });
      await expect(line.open({ edge: () => {}, problem: () => {} })).rejects.toThrow(
        /^cannot open pinctrl-bcm2711 line 17 \(sysfs gpio529\): ENOENT.*\/sys\/class\/gpio\/export/,
      );
    },
  );
});
