import { z } from "zod";

// Owned by the CAN-source work (SLCAN / SocketCAN / replay). First cut.
export const canSourceConfigSchema = z
  .strictObject({ type: z.enum(["slcan", "socketcan", "replay"]).default("slcan").describe("Where frames come from.") })
  .describe("The CAN frame source.")
  .prefault({} as never);
