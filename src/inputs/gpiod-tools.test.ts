import { describe, expect, it } from "vitest";
import {
  gpiogetArgs,
  gpiomonArgs,
  isChipReference,
  parseGpiodetect,
  parseGpiodVersion,
  parseGpiogetOutput,
  parseGpiomonLine,
} from "./gpiod-tools.js";

// Sample lines follow the printf formats of libgpiod's tools (1.6: tools/gpiomon.c
// "event: %s offset: %u timestamp: [%8ld.%09ld]" with " RISING EDGE"/"FALLING EDGE";
// 2.x: "<time>\t(rising|falling)\t<chip> <offset>[ \"name\"]").
describe("gpiomon output", () => {
  it.each([
    ["event:  RISING EDGE offset: 17 timestamp: [    1546.123456789]", { offset: 17, level: 1 }],
    ["event: FALLING EDGE offset: 17 timestamp: [    1546.223456789]", { offset: 17, level: 0 }],
    ["event:  RISING EDGE offset: 4 timestamp: [1700000000.000000001]", { offset: 4, level: 1 }],
    ["", null],
    ["garbage", null],
    ["1546.123456789\trising\tgpiochip0 17", null],
  ])("1.6: %j", (line, expected) => {
    expect(parseGpiomonLine(line, 1)).toEqual(expected);
  });

  it.each([
    ["1546.123456789\trising\tgpiochip0 17", { offset: 17, level: 1 }],
    ["1546.223456789\tfalling\tgpiochip0 17", { offset: 17, level: 0 }],
    ['1546.223456789\tfalling\tgpiochip0 17 "GPIO17"', { offset: 17, level: 0 }],
    ["1546.223456789\trising\tgpiochip4 22 GPIO22", { offset: 22, level: 1 }],
    ["2024-01-01T10:00:00.123456789Z\trising\tgpiochip0 5", { offset: 5, level: 1 }],
    ["1546.1\tfalling\t9", { offset: 9, level: 0 }],
    ["Monitoring line '17'...", null],
    ["event:  RISING EDGE offset: 17 timestamp: [    1546.123456789]", null],
  ])("2.x: %j", (line, expected) => {
    expect(parseGpiomonLine(line, 2)).toEqual(expected);
  });
});

describe("gpioget output", () => {
  it.each([
    ["1\n", 1, 1],
    ["0\n", 1, 0],
    ['"17"=active\n', 2, 1],
    ['"17"=inactive\n', 2, 0],
    ["17=active\n", 2, 1],
    ["0\n", 2, 0],
  ] as const)("%j (v%d) → %d", (text, version, level) => {
    expect(parseGpiogetOutput(text, version)).toBe(level);
  });

  it("rejects anything else", () => {
    expect(() => parseGpiogetOutput('"17"=active\n', 1)).toThrow(/unexpected gpioget output/);
    expect(() => parseGpiogetOutput("", 2)).toThrow(/unexpected gpioget output/);
  });
});

describe("versions, gpiodetect, arguments", () => {
  it.each([
    ["gpiomon (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski\n", 1],
    ["gpiomon (libgpiod) v2.1.3\nCopyright (C) 2017-2023 Bartosz Golaszewski\n", 2],
    ["gpiomon (libgpiod) 2.0\n", 2],
    ["gpiomon (libgpiod) v3.0.0\n", null],
    ["sh: gpiomon: not found", null],
  ])("%j → %s", (text, version) => {
    expect(parseGpiodVersion(text)).toBe(version);
  });

  it("parses gpiodetect", () => {
    const out = "gpiochip0 [pinctrl-rp1] (54 lines)\ngpiochip10 [gpio-brcmstb@107d508500] (32 lines)\n";
    expect(parseGpiodetect(out)).toEqual([
      { name: "gpiochip0", label: "pinctrl-rp1", lines: 54 },
      { name: "gpiochip10", label: "gpio-brcmstb@107d508500", lines: 32 },
    ]);
  });

  it("builds each version's arguments (1.6 needs -b for line-buffered output; in 2.x -b is --bias)", () => {
    expect(gpiomonArgs(1, "pinctrl-bcm2711", 17)).toEqual(["-b", "pinctrl-bcm2711", "17"]);
    expect(gpiomonArgs(2, "gpiochip0", 17)).toEqual(["-c", "gpiochip0", "17"]);
    expect(gpiogetArgs(1, "gpiochip0", 17)).toEqual(["gpiochip0", "17"]);
    expect(gpiogetArgs(2, "gpiochip0", 17)).toEqual(["-c", "gpiochip0", "17"]);
  });

  it("knows which chip references the 2.x tools take as they are", () => {
    expect(isChipReference("gpiochip0")).toBe(true);
    expect(isChipReference("0")).toBe(true);
    expect(isChipReference("/dev/gpiochip4")).toBe(true);
    expect(isChipReference("pinctrl-rp1")).toBe(false);
  });
});
