import { z } from "zod";
import { identifier, millis, section } from "../config/describe.js";

/** Roles with their own behaviour; any other identifier is a named trigger (origin kind `gpio`). */
export const SPECIAL_ROLES = ["lightbar", "siren", "button"] as const;

export const DEFAULT_LONG_PRESS_MS = 2000;
export const DEFAULT_BUTTON_STUCK_SECONDS = 30;

const flappingSchema = z
  .strictObject({
    maxChanges: z
      .number()
      .int()
      .min(2)
      .max(10_000)
      .default(20)
      .describe("The input is flapping when it changes more than this many times within windowSeconds."),
    windowSeconds: z
      .number()
      .min(1)
      .max(3600)
      .default(30)
      .describe("The sliding window, in seconds, over which changes are counted."),
  })
  .describe(
    "Flapping detection: too many debounced changes in a short time (a loose wire, a flasher output) degrade the input's health and raise an `input-flapping` alert. Triggers are still forwarded.",
  )
  .prefault({} as never);

const gpioInputSchema = z
  .strictObject({
    name: identifier(
      "Input name: used as the trigger origin id, in health (`gpio:{name}`), logs and the manifest.",
    ),
    role: identifier(
      "`lightbar` (origin kind lightbar), `siren`, `button` (the in-car button: short press starts or bookmarks, long press stops), or any other name for a named trigger such as `door` or `shotgun-rack` (origin kind gpio).",
    ),
    backend: z
      .enum(["onoff", "gpiomon", "simulated"])
      .default("onoff")
      .describe(
        "`onoff`: sysfs GPIO (/sys/class/gpio) through the onoff package. `gpiomon`: the libgpiod command-line tools (1.6 or 2.x), for kernels without sysfs GPIO. `simulated`: no hardware (demo, tests; driven from the control socket).",
      ),
    chip: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe(
        "GPIO chip by label (`pinctrl-bcm2711` on a Pi 4, `pinctrl-rp1` on a Pi 5, `INT3452:00` on some x86 boards) or by name (`gpiochip0`). See `gpiodetect`. Required for onoff and gpiomon.",
      ),
    line: z
      .number()
      .int()
      .min(0)
      .max(1023)
      .optional()
      .describe(
        "Line offset within the chip (on a Raspberry Pi the BCM GPIO number, e.g. 17). Required for onoff and gpiomon.",
      ),
    activeLow: z
      .boolean()
      .default(false)
      .describe("The input is active when the line is low (e.g. a switch to ground with a pull-up)."),
    debounceMs: millis(
      "The level must stay unchanged this long (ms) before a change counts (level-stable debounce).",
      200,
      0,
      10_000,
    ),
    rereadMs: millis(
      "Re-read the line this often (ms) to catch a missed edge; the read goes through the same debounce. 0 turns it off.",
      1000,
      0,
      60_000,
    ),
    longPressMs: z
      .number()
      .int()
      .min(300)
      .max(30_000)
      .optional()
      .describe(
        `Buttons only: held this long (ms) is a manual stop, fired when the hold reaches it; a shorter press starts an event (or bookmarks the running one). Default ${DEFAULT_LONG_PRESS_MS}.`,
      ),
    stuckAfterSeconds: z
      .number()
      .min(0)
      .max(86_400)
      .optional()
      .describe(
        `Report the input as stuck (health degraded, \`input-stuck\` alert) when it stays active longer than this. 0 turns it off. Default ${DEFAULT_BUTTON_STUCK_SECONDS} for buttons, off for other roles.`,
      ),
    flapping: flappingSchema,
    gpiomonVersion: z
      .literal(["auto", 1, 2])
      .default("auto")
      .describe(
        "gpiomon backend: libgpiod tools syntax. `auto` asks `gpiomon --version`; `1` for libgpiod 1.x (Debian 11/12), `2` for 2.x.",
      ),
  })
  .superRefine((input, ctx) => {
    if (input.backend !== "simulated") {
      for (const key of ["chip", "line"] as const) {
        if (input[key] === undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: `required for backend ${input.backend}` });
        }
      }
    }
    if (input.longPressMs !== undefined && input.role !== "button") {
      ctx.addIssue({
        code: "custom",
        path: ["longPressMs"],
        message: "only inputs with role button have a long press",
      });
    }
    if (input.longPressMs !== undefined && input.longPressMs <= input.debounceMs) {
      ctx.addIssue({ code: "custom", path: ["longPressMs"], message: "must be longer than debounceMs" });
    }
  })
  .transform((input) => ({
    ...input,
    longPressMs: input.longPressMs ?? DEFAULT_LONG_PRESS_MS,
    stuckAfterSeconds:
      input.stuckAfterSeconds ?? (input.role === "button" ? DEFAULT_BUTTON_STUCK_SECONDS : 0),
  }));

export type GpioInputConfig = z.output<typeof gpioInputSchema>;

export const inputsConfigSchema = section("Digital inputs (light bar, siren, in-car button, door, …).", {
  gpio: z
    .array(gpioInputSchema)
    .max(64)
    .default([])
    .describe("GPIO inputs. Each becomes a trigger (or, for role button, the in-car button).")
    .superRefine((inputs, ctx) => {
      const names = new Map<string, number>();
      const lines = new Map<string, number>();
      inputs.forEach((input, i) => {
        const sameName = names.get(input.name);
        if (sameName !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [i, "name"],
            message: `duplicate name '${input.name}' (also inputs.gpio[${sameName}])`,
          });
        } else names.set(input.name, i);
        if (input.backend === "simulated") return;
        const key = `${input.chip}/${input.line}`;
        const sameLine = lines.get(key);
        if (sameLine !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [i, "line"],
            message: `chip ${input.chip} line ${input.line} is already used by inputs.gpio[${sameLine}]`,
          });
        } else lines.set(key, i);
      });
    }),
});

export type InputsConfig = z.output<typeof inputsConfigSchema>;
