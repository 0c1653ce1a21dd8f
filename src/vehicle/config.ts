import { z } from "zod";
import { section } from "../config/describe.js";
import { signalConfigShape } from "./signal-config.js";
import { canSourceConfigSchema } from "./source-config.js";

export { gpsConfigSchema } from "./gps-config.js";

export const vehicleBusConfigSchema = section(
  "The vehicle's CAN bus: source, DBC signals and trigger rules.",
  {
    enabled: z.boolean().default(false).describe("Read the vehicle bus."),
    source: canSourceConfigSchema,
    ...signalConfigShape,
  },
);
