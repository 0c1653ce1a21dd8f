import { z } from "zod";
import { seconds, section } from "../config/describe.js";

export const activationConfigSchema = section(
  "When recording starts and stops (the activation engine's policy).",
  {
    preEventSeconds: seconds(
      "Seconds of footage before the trigger included in the event (the pre-event buffer).",
      30,
      0,
      120,
    ),
    postRollSeconds: seconds("Seconds recorded after a stop, before the event ends.", 30, 0, 180),
    stopOn: z
      .enum(["manual", "triggers-clear"])
      .default("manual")
      .describe(
        "`manual`: only a deliberate manual action in the car stops an event. `triggers-clear`: an event started automatically also stops once every trigger has been clear for clearDelaySeconds. A recording started by hand is always stopped by hand only.",
      ),
    clearDelaySeconds: seconds(
      "With stopOn: triggers-clear, how long every trigger must stay clear.",
      10,
      0,
      3600,
    ),
    maxEventMinutes: z
      .number()
      .int()
      .min(1)
      .max(240)
      .default(60)
      .describe("A long event's video rolls over into a new file after this many minutes (same event)."),
  },
);
