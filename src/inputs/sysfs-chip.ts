import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { LineUnavailableError } from "./digital-line.js";

/**
 * Resolving `{chip, offset}` to a sysfs GPIO number through `/sys/class/gpio/gpiochip*`.
 *
 * The sysfs number is `base + offset`, and the base depends on the kernel: 0 on older Raspberry Pi
 * kernels, 512 for the Pi 4's pinctrl-bcm2711 and 571 for the Pi 5's pinctrl-rp1 on 6.6 kernels,
 * dynamic (usually from 512) on x86. So configs name the chip, never the global number.
 */
export const DEFAULT_SYSFS_ROOT = "/sys/class/gpio";

export interface SysfsChip {
  /** Directory under the root, e.g. `gpiochip512` (named after the base). */
  dir: string;
  label: string;
  base: number;
  ngpio: number;
  /** Character-device name (`gpiochip0`) when sysfs tells it unambiguously, else null. */
  deviceName: string | null;
}

export interface ResolvedSysfsLine {
  chip: SysfsChip;
  offset: number;
  /** The global (sysfs) GPIO number: base + offset. */
  gpio: number;
}

const CHIP_NAME = /^gpiochip\d+$/;

function readInt(path: string): number {
  const text = readFileSync(path, "utf8").trim();
  if (!/^\d+$/.test(text)) throw new Error(`${path}: expected a number, found '${text}'`);
  return Number(text);
}

/** The character-device name of a sysfs chip: the `device` link itself, or its only gpiochipN child. */
function deviceNameOf(chipDir: string): string | null {
  const device = join(chipDir, "device");
  try {
    const target = basename(readlinkSync(device));
    if (CHIP_NAME.test(target)) return target;
  } catch {
    // not a link (or absent): look inside
  }
  try {
    const children = readdirSync(device).filter((e) => CHIP_NAME.test(e));
    return children.length === 1 ? (children[0] ?? null) : null;
  } catch {
    return null;
  }
}

export function listSysfsChips(root = DEFAULT_SYSFS_ROOT): SysfsChip[] {
  if (!existsSync(root)) {
    throw new LineUnavailableError(
      `sysfs GPIO is not available (${root} does not exist; kernels built without CONFIG_GPIO_SYSFS): use backend gpiomon`,
    );
  }
  const chips: SysfsChip[] = [];
  for (const dir of readdirSync(root).filter((e) => CHIP_NAME.test(e))) {
    const path = join(root, dir);
    chips.push({
      dir,
      label: readFileSync(join(path, "label"), "utf8").trim(),
      base: readInt(join(path, "base")),
      ngpio: readInt(join(path, "ngpio")),
      deviceName: deviceNameOf(path),
    });
  }
  return chips.sort((a, b) => a.base - b.base);
}

export function describeChips(chips: SysfsChip[]): string {
  if (chips.length === 0) return "no GPIO chips";
  return chips
    .map((c) => `${c.deviceName ?? "?"} [${c.label}] (${c.ngpio} lines, sysfs base ${c.base})`)
    .join("; ");
}

/** Find the chip by label first, then by character-device name, then (old kernels) by sysfs directory. */
export function findSysfsChip(chips: SysfsChip[], chip: string): SysfsChip {
  const byLabel = chips.filter((c) => c.label === chip);
  if (byLabel.length > 1) {
    throw new LineUnavailableError(
      `GPIO chip label '${chip}' is not unique (${byLabel.map((c) => c.deviceName ?? c.dir).join(", ")}): name the chip (gpiochipN) instead`,
    );
  }
  const found =
    byLabel[0] ??
    chips.find((c) => c.deviceName === chip) ??
    chips.find((c) => c.deviceName === null && c.dir === chip);
  if (!found) {
    throw new LineUnavailableError(
      `no GPIO chip labelled or named '${chip}'; found: ${describeChips(chips)}`,
    );
  }
  return found;
}

export function resolveSysfsLine(chip: string, offset: number, root = DEFAULT_SYSFS_ROOT): ResolvedSysfsLine {
  const found = findSysfsChip(listSysfsChips(root), chip);
  if (!Number.isInteger(offset) || offset < 0 || offset >= found.ngpio) {
    throw new LineUnavailableError(
      `line ${offset} is out of range for GPIO chip '${chip}' [${found.label}], which has ${found.ngpio} lines (0-${found.ngpio - 1})`,
    );
  }
  return { chip: found, offset, gpio: found.base + offset };
}
