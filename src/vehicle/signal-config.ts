import { z } from "zod";

// Owned by the DBC-decoding / trigger-rules work. First cut.
export const signalConfigShape = {
  dbc: z.string().optional().describe("Path of the DBC file that defines the vehicle's signals."),
};
