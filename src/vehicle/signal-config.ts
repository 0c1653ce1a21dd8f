import { z } from "zod";
import { identifier, millis } from "../config/describe.js";

/** A CAN id written as a number (954) or a hex/decimal string ("0x3BA"). */
const canId = z
  .union([z.number().int(), z.string().regex(/^(0x[0-9a-fA-F]+|\d+)$/, "expected a CAN id such as 0x3BA")])
  .transform((v) => (typeof v === "number" ? v : Number(v)))
  .pipe(z.number().int().min(0).max(0x1fff_ffff))
  .describe("CAN arbitration id, e.g. 0x3BA (11-bit) or 0x18FEF100 (29-bit).");

const signalName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/,
    "expected a signal name such as Veh_V_ActlBrk",
  )
  .describe("Signal name; `Message.Signal` picks one of several DBC signals with the same name.");

export const inlineSignalSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected letters, digits and '_'")
      .describe("Signal name, used by rules, in status and the event timeline."),
    id: canId,
    extended: z.boolean().default(false).describe("29-bit (extended) id."),
    start: z
      .number()
      .int()
      .min(0)
      .max(511)
      .describe(
        "Start bit in DBC numbering: for intel the least significant bit; for motorola the most significant bit (bit 7 of byte 0 is 7, bit 0 of byte 1 is 8).",
      ),
    length: z.number().int().min(1).max(64).describe("Length in bits."),
    order: z
      .enum(["intel", "motorola"])
      .default("intel")
      .describe("Byte order: intel (little-endian, DBC @1) or motorola (big-endian, DBC @0)."),
    signed: z.boolean().default(false).describe("Two's-complement signed raw value."),
    scale: z.number().default(1).describe("Physical value = raw × scale + offset."),
    offset: z.number().default(0).describe("Physical value = raw × scale + offset."),
    unit: z.string().max(32).default("").describe("Unit shown with the value (km/h, %, …)."),
    valueTable: z
      .record(z.string().regex(/^-?\d+$/, "value-table keys are raw integer values"), z.string().min(1))
      .default({})
      .describe("Names of raw values, e.g. {0: Off, 1: On}; rules can compare against the names."),
  })
  .describe("A signal defined here, for vehicles without a DBC file.");

export type InlineSignalConfig = z.output<typeof inlineSignalSchema>;

const ruleBase = {
  name: identifier("Rule name: the trigger's origin id (`can:{name}`), shown in status, logs and manifests."),
  signal: signalName.describe(
    "The signal the rule watches: a decoded CAN signal, or `gps.speedKmh` (from the GPS receiver) for cars whose bus gives no speed.",
  ),
  holdMs: millis("The condition must hold this long before the rule fires.", 0, 0, 600_000),
  clearHoldMs: millis("The clear condition must hold this long before the rule clears.", 0, 0, 600_000),
  timeoutMs: millis(
    "No value for this long makes the signal unknown (reported as a `can` health problem). An unknown signal neither fires nor clears the rule.",
    2000,
    50,
    600_000,
  ),
};

const labelOrNumber = z.union([z.number(), z.string().min(1)]);

const aboveRule = z
  .strictObject({
    ...ruleBase,
    op: z.literal("above").describe("Fires when the value rises above threshold."),
    threshold: z.number().describe("Fires when the value is above this."),
    clearBelow: z
      .number()
      .optional()
      .describe("Clears when the value falls below this (hysteresis); default: at or below threshold."),
  })
  .refine((r) => r.clearBelow === undefined || r.clearBelow <= r.threshold, {
    message: "clearBelow must not be above threshold",
    path: ["clearBelow"],
  });

const belowRule = z
  .strictObject({
    ...ruleBase,
    op: z.literal("below").describe("Fires when the value falls below threshold."),
    threshold: z.number().describe("Fires when the value is below this."),
    clearAbove: z
      .number()
      .optional()
      .describe("Clears when the value rises above this (hysteresis); default: at or above threshold."),
  })
  .refine((r) => r.clearAbove === undefined || r.clearAbove >= r.threshold, {
    message: "clearAbove must not be below threshold",
    path: ["clearAbove"],
  });

const equalsRule = z.strictObject({
  ...ruleBase,
  op: z
    .enum(["equals", "notEquals"])
    .describe("Fires while the value is (equals) or is not (notEquals) one of value."),
  value: z
    .union([labelOrNumber, z.array(labelOrNumber).min(1)])
    .describe("A value, a value-table name (`Run`), or a list of them."),
});

const bitRule = z.strictObject({
  ...ruleBase,
  op: z.literal("bit").describe("Fires while the given bit of the (integer) value is set."),
  bit: z.number().int().min(0).max(52).describe("Bit number, 0 = least significant."),
});

export const ruleSchema = z
  .discriminatedUnion("op", [aboveRule, belowRule, equalsRule, bitRule])
  .describe("A trigger rule on a signal: each rule is a named trigger into the activation engine.");

export type RuleConfig = z.output<typeof ruleSchema>;

// The signal/DBC/rule part of the `vehicleBus` config section (spread into it in vehicle/config.ts).
export const signalConfigShape = {
  dbc: z
    .string()
    .min(1)
    .optional()
    .describe("Path of the DBC file that defines the vehicle's signals (loaded and checked at start)."),
  signals: z
    .array(z.union([signalName, inlineSignalSchema]))
    .default([])
    .describe(
      "Signals to decode: names from the DBC file, or inline definitions. Signals used by rules are decoded even when not listed.",
    ),
  rules: z
    .array(ruleSchema)
    .default([])
    .refine((rules) => new Set(rules.map((r) => r.name)).size === rules.length, "rule names must be unique")
    .describe("Trigger rules on decoded signals."),
  signalIntervalMs: millis(
    "A changing signal used by a rule goes into the event timeline at most once per this many ms (and always at a rule's transition).",
    1000,
    0,
    60_000,
  ),
};

/** The signal/rule keys alone, as a schema (tests and `camsync can` use it without the rest of the config). */
export const signalSectionSchema = z.strictObject(signalConfigShape);
export type SignalSectionConfig = z.output<typeof signalSectionSchema>;
