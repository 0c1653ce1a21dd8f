import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listSysfsChips, resolveSysfsLine } from "./sysfs-chip.js";

interface FakeChip {
  base: number;
  label: string;
  ngpio: number;
  /** Character-device name(s) under the parent device the `device` link points to. */
  devices: string[];
}

const roots: string[] = [];

/** A fake /sys tree: class/gpio/gpiochipBASE/{label,base,ngpio,device -> ../../../devices/<parent>}. */
function fakeSysfs(chips: FakeChip[]): string {
  const sys = mkdtempSync(join(tmpdir(), "camsync-sysfs-"));
  roots.push(sys);
  const root = join(sys, "class", "gpio");
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "export"), "");
  chips.forEach((c, i) => {
    const parent = join(sys, "devices", `parent${i}`);
    mkdirSync(parent, { recursive: true });
    for (const d of c.devices) mkdirSync(join(parent, d));
    const dir = join(root, `gpiochip${c.base}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "label"), `${c.label}\n`);
    writeFileSync(join(dir, "base"), `${c.base}\n`);
    writeFileSync(join(dir, "ngpio"), `${c.ngpio}\n`);
    symlinkSync(join("..", "..", "..", "devices", `parent${i}`), join(dir, "device"));
  });
  return root;
}

afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

// Raspberry Pi 4, Raspberry Pi OS bookworm (kernel 6.6): `gpiodetect` shows gpiochip0 [pinctrl-bcm2711]
// (58 lines) and gpiochip1 [raspberrypi-exp-gpio] (8 lines); sysfs numbers them from 512.
const pi4 = () =>
  fakeSysfs([
    { base: 512, label: "pinctrl-bcm2711", ngpio: 58, devices: ["gpiochip0"] },
    { base: 570, label: "raspberrypi-exp-gpio", ngpio: 8, devices: ["gpiochip1"] },
  ]);

// Raspberry Pi 5 (kernel 6.6): the header pins are on the RP1, pinctrl-rp1 (54 lines), sysfs base 571,
// so BCM GPIO 17 is sysfs 588. The SoC's brcmstb controllers hold two banks each.
const pi5 = () =>
  fakeSysfs([
    { base: 512, label: "gpio-brcmstb@107d508500", ngpio: 32, devices: ["gpiochip10", "gpiochip11"] },
    { base: 544, label: "gpio-brcmstb@107d508520", ngpio: 4, devices: ["gpiochip10", "gpiochip11"] },
    { base: 548, label: "gpio-brcmstb@107d517c00", ngpio: 17, devices: ["gpiochip12", "gpiochip13"] },
    { base: 565, label: "gpio-brcmstb@107d517c20", ngpio: 6, devices: ["gpiochip12", "gpiochip13"] },
    { base: 571, label: "pinctrl-rp1", ngpio: 54, devices: ["gpiochip0"] },
  ]);

// An x86 board (Intel Apollo Lake, pinctrl-broxton): four communities, labels from ACPI.
const x86 = () =>
  fakeSysfs([
    { base: 512, label: "INT3452:00", ngpio: 78, devices: ["gpiochip0"] },
    { base: 590, label: "INT3452:01", ngpio: 77, devices: ["gpiochip1"] },
    { base: 667, label: "INT3452:02", ngpio: 47, devices: ["gpiochip2"] },
    { base: 714, label: "INT3452:03", ngpio: 43, devices: ["gpiochip3"] },
  ]);

describe("resolveSysfsLine", () => {
  it.each([
    ["Pi 4 by label", pi4, "pinctrl-bcm2711", 17, 529],
    ["Pi 4 by name", pi4, "gpiochip0", 17, 529],
    ["Pi 4 expander", pi4, "raspberrypi-exp-gpio", 2, 572],
    ["Pi 5 by label", pi5, "pinctrl-rp1", 17, 588],
    ["Pi 5 by name", pi5, "gpiochip0", 27, 598],
    ["Pi 5 SoC bank by label", pi5, "gpio-brcmstb@107d517c00", 3, 551],
    ["x86 by label", x86, "INT3452:01", 10, 600],
    ["x86 by name", x86, "gpiochip3", 0, 714],
  ])("%s: %s line %d → sysfs %d", (_name, tree, chip, offset, gpio) => {
    expect(resolveSysfsLine(chip, offset, tree()).gpio).toBe(gpio);
  });

  it("lists chips with their character-device names", () => {
    expect(listSysfsChips(pi4())).toEqual([
      { dir: "gpiochip512", label: "pinctrl-bcm2711", base: 512, ngpio: 58, deviceName: "gpiochip0" },
      { dir: "gpiochip570", label: "raspberrypi-exp-gpio", base: 570, ngpio: 8, deviceName: "gpiochip1" },
    ]);
  });

  it("older Pi kernels with base 0 resolve the same label to the same pin", () => {
    const old = fakeSysfs([{ base: 0, label: "pinctrl-bcm2711", ngpio: 58, devices: ["gpiochip0"] }]);
    expect(resolveSysfsLine("pinctrl-bcm2711", 17, old).gpio).toBe(17);
    expect(resolveSysfsLine("gpiochip0", 17, old).gpio).toBe(17);
  });

  it("a chardev name shared by several sysfs chips is refused rather than guessed", () => {
    expect(() => resolveSysfsLine("gpiochip10", 1, pi5())).toThrow(
      /no GPIO chip labelled or named 'gpiochip10'/,
    );
  });

  it("rejects an offset beyond the chip", () => {
    expect(() => resolveSysfsLine("pinctrl-rp1", 54, pi5())).toThrow(
      "line 54 is out of range for GPIO chip 'pinctrl-rp1' [pinctrl-rp1], which has 54 lines (0-53)",
    );
  });

  it("an unknown chip error lists what exists", () => {
    expect(() => resolveSysfsLine("pinctrl-bcm2835", 17, pi4())).toThrow(
      "no GPIO chip labelled or named 'pinctrl-bcm2835'; found: gpiochip0 [pinctrl-bcm2711] (58 lines, sysfs base 512); gpiochip1 [raspberrypi-exp-gpio] (8 lines, sysfs base 570)",
    );
  });

  it("without /sys/class/gpio it says to use gpiomon", () => {
    expect(() => resolveSysfsLine("gpiochip0", 1, join(tmpdir(), "camsync-no-such-sysfs"))).toThrow(
      /sysfs GPIO is not available .*use backend gpiomon/,
    );
  });
});
