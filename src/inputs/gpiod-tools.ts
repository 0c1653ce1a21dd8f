import type { Level } from "./digital-line.js";

/**
 * The libgpiod command-line tools' syntax and output, for versions 1.6 and 2.x (pure functions).
 *
 * gpiomon 1.6:  `gpiomon -b CHIP OFFSET` (`-b` = line-buffered stdout), one line per edge:
 *     `event:  RISING EDGE offset: 17 timestamp: [    1546.123456789]`
 *     `event: FALLING EDGE offset: 17 timestamp: [    1546.223456789]`
 * gpiomon 2.x:  `gpiomon -c CHIP OFFSET` (`-b` means --bias there; output is flushed per event):
 *     `1546.123456789\trising\tgpiochip0 17`        (line without a name)
 *     `1546.223456789\tfalling\tgpiochip0 17 "GPIO17"` (2.1+ quotes names; 2.0 does not)
 *     the timestamp is `2024-01-01T10:00:00.123456789Z` with --utc / realtime clock.
 * gpioget 1.6: `gpioget CHIP OFFSET` prints `0` or `1`.
 * gpioget 2.x: `gpioget -c CHIP OFFSET` prints `"17"=active` / `"17"=inactive` (`17=active` unquoted,
 *     `1`/`0` with --numeric).
 * gpiodetect (both): `gpiochip0 [pinctrl-bcm2711] (58 lines)`.
 * `--version` (both): first line `gpiomon (libgpiod) v1.6.3` (1.x) or `gpiomon (libgpiod) v2.1.3`.
 */
export type GpiodVersion = 1 | 2;

export interface GpiomonEvent {
  offset: number;
  level: Level;
}

export function parseGpiodVersion(text: string): GpiodVersion | null {
  const m = /\(libgpiod\)\s+v?(\d+)\.\d+/.exec(text);
  if (!m) return null;
  const major = Number(m[1]);
  if (major === 1) return 1;
  if (major === 2) return 2;
  return null;
}

const V1_EVENT = /^event:\s+(RISING|FALLING) EDGE offset:\s*(\d+)\s+timestamp:/;
const V2_EVENT = /^\S+\t(rising|falling)\t(?:[^\s"]+ )?(\d+)(?:\s.*)?$/;

/** One gpiomon output line as an edge event, or null for anything else (banners, blank lines). */
export function parseGpiomonLine(line: string, version: GpiodVersion): GpiomonEvent | null {
  const text = line.replace(/\r$/, "");
  if (version === 1) {
    const m = V1_EVENT.exec(text.trim());
    return m ? { offset: Number(m[2]), level: m[1] === "RISING" ? 1 : 0 } : null;
  }
  const m = V2_EVENT.exec(text);
  return m ? { offset: Number(m[2]), level: m[1] === "rising" ? 1 : 0 } : null;
}

/** gpioget's output for one line as a level; throws on anything unexpected. */
export function parseGpiogetOutput(text: string, version: GpiodVersion): Level {
  const out = text.trim();
  if (out === "0" || out === "1") return out === "1" ? 1 : 0;
  if (version === 2) {
    const m = /^(?:"[^"]*"|\S+)=(active|inactive)$/.exec(out);
    if (m) return m[1] === "active" ? 1 : 0;
  }
  throw new Error(`unexpected gpioget output: ${JSON.stringify(out.slice(0, 80))}`);
}

export interface GpiodetectChip {
  name: string;
  label: string;
  lines: number;
}

export function parseGpiodetect(text: string): GpiodetectChip[] {
  const chips: GpiodetectChip[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\S+) \[(.*)\] \((\d+) lines?\)\s*$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) chips.push({ name: m[1], label: m[2], lines: Number(m[3]) });
  }
  return chips;
}

/** Chips the tools accept as they are: names, numbers and /dev paths (1.6 also takes labels, 2.x does not). */
export function isChipReference(chip: string): boolean {
  return /^gpiochip\d+$/.test(chip) || /^\d+$/.test(chip) || chip.startsWith("/dev/");
}

export function gpiomonArgs(version: GpiodVersion, chip: string, offset: number): string[] {
  return version === 1 ? ["-b", chip, String(offset)] : ["-c", chip, String(offset)];
}

export function gpiogetArgs(version: GpiodVersion, chip: string, offset: number): string[] {
  return version === 1 ? [chip, String(offset)] : ["-c", chip, String(offset)];
}
