import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FakeChip {
  base: number;
  label: string;
  ngpio: number;
  /** Character-device name(s) under the parent device the `device` link points to. */
  devices: string[];
}

const roots: string[] = [];

/** A fake /sys tree: class/gpio/gpiochipBASE/{label,base,ngpio,device -> ../../../devices/<parent>}. */
export function fakeSysfs(chips: FakeChip[]): string {
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

export function removeFakeSysfs(): void {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
}

// Raspberry Pi 4, Raspberry Pi OS bookworm (kernel 6.6): `gpiodetect` shows gpiochip0 [pinctrl-bcm2711]
// (58 lines) and gpiochip1 [raspberrypi-exp-gpio] (8 lines); sysfs numbers them from 512.
export const pi4 = () =>
  fakeSysfs([
    { base: 512, label: "pinctrl-bcm2711", ngpio: 58, devices: ["gpiochip0"] },
    { base: 570, label: "raspberrypi-exp-gpio", ngpio: 8, devices: ["gpiochip1"] },
  ]);

// Raspberry Pi 5 (kernel 6.6): the header pins are on the RP1, pinctrl-rp1 (54 lines), sysfs base 571,
// so BCM GPIO 17 is sysfs 588. The SoC's brcmstb controllers hold two banks each.
export const pi5 = () =>
  fakeSysfs([
    { base: 512, label: "gpio-brcmstb@107d508500", ngpio: 32, devices: ["gpiochip10", "gpiochip11"] },
    { base: 544, label: "gpio-brcmstb@107d508520", ngpio: 4, devices: ["gpiochip10", "gpiochip11"] },
    { base: 548, label: "gpio-brcmstb@107d517c00", ngpio: 17, devices: ["gpiochip12", "gpiochip13"] },
    { base: 565, label: "gpio-brcmstb@107d517c20", ngpio: 6, devices: ["gpiochip12", "gpiochip13"] },
    { base: 571, label: "pinctrl-rp1", ngpio: 54, devices: ["gpiochip0"] },
  ]);

// An x86 board (Intel Apollo Lake, pinctrl-broxton): four communities, labels from ACPI.
export const x86 = () =>
  fakeSysfs([
    { base: 512, label: "INT3452:00", ngpio: 78, devices: ["gpiochip0"] },
    { base: 590, label: "INT3452:01", ngpio: 77, devices: ["gpiochip1"] },
    { base: 667, label: "INT3452:02", ngpio: 47, devices: ["gpiochip2"] },
    { base: 714, label: "INT3452:03", ngpio: 43, devices: ["gpiochip3"] },
  ]);
