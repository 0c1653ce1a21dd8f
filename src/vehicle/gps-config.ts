import { z } from "zod";
import { section } from "../config/describe.js";

// Owned by the GPS work. First cut.
export const gpsConfigSchema = section("GPS receiver (NMEA 0183 over serial, or gpsd).", {
  enabled: z.boolean().default(false).describe("Read a GPS receiver."),
});
