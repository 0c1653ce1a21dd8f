import { z } from "zod";
import { section } from "../config/describe.js";

// First cut: the GPIO inputs work extends this section.
export const inputsConfigSchema = section("Digital inputs (light bar, siren, in-car button, …).", {
  gpio: z.array(z.strictObject({ name: z.string() })).default([]).describe("GPIO inputs."),
});
