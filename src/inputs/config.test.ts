import { describe, expect, it } from "vitest";
import { z } from "zod";
import { inputsConfigSchema } from "./config.js";

const issues = (config: unknown) => {
  const r = inputsConfigSchema.safeParse(config);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("inputs config", () => {
  it("fills defaults, with role-dependent long press and stuck detection", () => {
    const parsed = inputsConfigSchema.parse({
      gpio: [
        { name: "lightbar", role: "lightbar", chip: "pinctrl-bcm2711", line: 17 },
        { name: "button", role: "button", chip: "pinctrl-bcm2711", line: 27, activeLow: true },
      ],
    });
    expect(parsed.gpio[0]).toEqual({
      name: "lightbar",
      role: "lightbar",
      backend: "onoff",
      chip: "pinctrl-bcm2711",
      line: 17,
      activeLow: false,
      debounceMs: 200,
      rereadMs: 1000,
      longPressMs: 2000,
      stuckAfterSeconds: 0,
      flapping: { maxChanges: 20, windowSeconds: 30 },
      gpiomonVersion: "auto",
    });
    expect(parsed.gpio[1]).toMatchObject({ activeLow: true, longPressMs: 2000, stuckAfterSeconds: 30 });
    expect(inputsConfigSchema.parse(undefined)).toEqual({ gpio: [] });
  });

  it.each<[string, unknown, string[]]>([
    [
      "unknown keys",
      { gpio: [{ name: "a", role: "siren", backend: "simulated", pin: 4 }] },
      ['gpio.0: Unrecognized key: "pin"'],
    ],
    [
      "hardware backends need chip and line",
      { gpio: [{ name: "a", role: "siren" }] },
      ["gpio.0.chip: required for backend onoff", "gpio.0.line: required for backend onoff"],
    ],
    [
      "negative debounce",
      { gpio: [{ name: "a", role: "siren", backend: "simulated", debounceMs: -1 }] },
      ["gpio.0.debounceMs: Too small: expected number to be >=0"],
    ],
    [
      "long press on a non-button",
      { gpio: [{ name: "a", role: "lightbar", backend: "simulated", longPressMs: 3000 }] },
      ["gpio.0.longPressMs: only inputs with role button have a long press"],
    ],
    [
      "long press not longer than the debounce",
      { gpio: [{ name: "a", role: "button", backend: "simulated", longPressMs: 500, debounceMs: 500 }] },
      ["gpio.0.longPressMs: must be longer than debounceMs"],
    ],
    [
      "duplicate names and lines",
      {
        gpio: [
          { name: "lightbar", role: "lightbar", chip: "gpiochip0", line: 17 },
          { name: "lightbar", role: "siren", chip: "gpiochip0", line: 17 },
        ],
      },
      [
        "gpio.1.name: duplicate name 'lightbar' (also inputs.gpio[0])",
        "gpio.1.line: chip gpiochip0 line 17 is already used by inputs.gpio[0]",
      ],
    ],
    [
      "bad names",
      { gpio: [{ name: "light bar", role: "lightbar", backend: "simulated" }] },
      ["gpio.0.name: expected 1-32 letters, digits, '-' or '_'"],
    ],
    [
      "bad gpiomon version",
      { gpio: [{ name: "a", role: "siren", backend: "simulated", gpiomonVersion: "3" }] },
      ['gpio.0.gpiomonVersion: Invalid option: expected one of "auto"|1|2'],
    ],
  ])("rejects %s, by path", (_name, config, expected) => {
    expect(issues(config)).toEqual(expected);
  });

  it("exports as JSON Schema with every key described", () => {
    const described = z.object({
      properties: z.object({
        gpio: z.object({
          items: z.object({
            properties: z.record(z.string(), z.looseObject({ description: z.string().min(10) })),
          }),
        }),
      }),
    });
    const schema = described.parse(
      z.toJSONSchema(inputsConfigSchema, { io: "input", unrepresentable: "any" }),
    );
    const props = schema.properties.gpio.items.properties;
    expect(Object.keys(props).sort()).toEqual(
      [
        "activeLow",
        "backend",
        "chip",
        "debounceMs",
        "flapping",
        "gpiomonVersion",
        "line",
        "longPressMs",
        "name",
        "role",
        "rereadMs",
        "stuckAfterSeconds",
      ].sort(),
    );
  });
});
