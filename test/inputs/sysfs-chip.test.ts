import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listSysfsChips, resolveSysfsLine } from "../../src/inputs/sysfs-chip.js";
import { fakeSysfs, pi4, pi5, removeFakeSysfs, x86 } from "./fake-sysfs.js";

afterAll(removeFakeSysfs);

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
