import { z } from "zod";
import { section } from "../config/describe.js";

// First cut: the evidence work extends this section.
export const evidenceConfigSchema = section("Audit log, offload to S3-compatible storage, retention.", {
  offload: section("Upload of finished events.", {
    enabled: z.boolean().default(false).describe("Upload finished events when the endpoint is reachable."),
  }),
});
