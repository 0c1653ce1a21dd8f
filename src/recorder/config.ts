import { z } from "zod";
import { section } from "../config/describe.js";

// First cut: the recorder work extends this section.
export const recorderConfigSchema = section("The dash recorder: cameras, segment ring, storage reserve.", {
  cameras: z.array(z.strictObject({ name: z.string() })).default([]).describe("Cameras, one ffmpeg each."),
});
