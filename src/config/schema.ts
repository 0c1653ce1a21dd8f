import { z } from "zod";
import { bodycamConfigSchema, mqttConfigSchema } from "../bodycam/config.js";
import { activationConfigSchema } from "../core/config.js";
import { evidenceConfigSchema } from "../evidence/config.js";
import { inputsConfigSchema } from "../inputs/config.js";
import { recorderConfigSchema } from "../recorder/config.js";
import { controlConfigSchema } from "../statuspage/config.js";
import { gpsConfigSchema, vehicleBusConfigSchema } from "../vehicle/config.js";
import { identifier, section } from "./describe.js";

/** The whole camsync configuration: the single source of truth for validation, types and docs. */
export const configSchema = z
  .strictObject({
    vehicle: z
      .strictObject({
        id: identifier(
          "Vehicle (unit) id: used in MQTT topics (camsync/v1/{id}/…), event ids and manifests.",
        ),
        name: z
          .string()
          .max(100)
          .optional()
          .describe("Human name of the vehicle, for manifests and the status page."),
        officer: z
          .string()
          .max(64)
          .optional()
          .describe("Default officer id for manifests; `camsync officer set ID` overrides it for a shift."),
        agency: z.string().max(100).optional().describe("Agency name, for manifests."),
      })
      .describe("Which car this is."),
    dataDir: z
      .string()
      .min(1)
      .default("/var/lib/camsync")
      .describe("Where the ring, events, audit log, state and control socket live."),
    log: section("Logging (JSON lines to stdout).", {
      level: z
        .enum(["trace", "debug", "info", "warn", "error", "fatal"])
        .default("info")
        .describe("Minimum level logged."),
    }),
    activation: activationConfigSchema,
    inputs: inputsConfigSchema,
    vehicleBus: vehicleBusConfigSchema,
    gps: gpsConfigSchema,
    recorder: recorderConfigSchema,
    mqtt: mqttConfigSchema,
    bodycams: bodycamConfigSchema,
    evidence: evidenceConfigSchema,
    control: controlConfigSchema,
  })
  .describe("camsync configuration (YAML). Unknown keys are errors.");

/** Validated configuration, with every default filled in. */
export type Config = z.output<typeof configSchema>;
/** What a user may write in the YAML file. */
export type ConfigInput = z.input<typeof configSchema>;

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }),
    $id: "https://github.com/camsync/camsync/config/camsync.schema.json",
    title: "camsync configuration",
  };
}
