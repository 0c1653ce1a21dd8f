import { z } from "zod";
import { section } from "../config/describe.js";

// First cut: the vehicle-bus work extends these sections.
export const vehicleBusConfigSchema = section("The vehicle's CAN bus: source, DBC signals and trigger rules.", {
  enabled: z.boolean().default(false).describe("Read the vehicle bus."),
});

export const gpsConfigSchema = section("GPS receiver (NMEA 0183 over serial, or gpsd).", {
  enabled: z.boolean().default(false).describe("Read a GPS receiver."),
});
