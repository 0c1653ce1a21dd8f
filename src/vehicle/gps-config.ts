import { z } from "zod";
import { seconds, section } from "../config/describe.js";
import { backoffSchema } from "../core/backoff.js";

const serialGpsSchema = z
  .strictObject({
    type: z
      .literal("serial")
      .default("serial")
      .describe("An NMEA 0183 receiver on a serial line (USB puck, u-blox …)."),
    path: z
      .string()
      .min(1)
      .default("/dev/ttyUSB0")
      .describe("Serial device; prefer the stable /dev/serial/by-id/… link."),
    baudRate: z
      .number()
      .int()
      .positive()
      .default(9600)
      .describe("Serial baud rate: 9600 for most u-blox receivers, 4800 for SiRF-based pucks."),
    reconnect: backoffSchema("reopening the serial port", 500, 10_000),
  })
  .describe("NMEA sentences (RMC, GGA, VTG) read from a serial receiver.");

const gpsdSchema = z
  .strictObject({
    type: z.literal("gpsd").describe("A gpsd daemon, read as JSON (?WATCH) over TCP."),
    host: z.string().min(1).default("127.0.0.1").describe("gpsd host."),
    port: z.number().int().min(1).max(65_535).default(2947).describe("gpsd TCP port."),
    reconnect: backoffSchema("reconnecting to gpsd", 500, 10_000),
  })
  .describe("TPV/SKY reports from gpsd.");

const replayGpsSchema = z
  .strictObject({
    type: z
      .literal("replay")
      .describe("Replay an NMEA log as if it were a receiver (the demo, installer checks)."),
    file: z.string().min(1).describe("The NMEA log (one sentence per line)."),
    speed: z
      .number()
      .positive()
      .max(1000)
      .default(1)
      .describe("1 = the log's pace (by RMC times), 2 = twice as fast …"),
    loop: z.boolean().default(true).describe("Start again at the end of the file."),
  })
  .describe("An NMEA log replayed at its own pace.");

// Owned by the GPS work.
export const gpsConfigSchema = section("GPS receiver (NMEA 0183 over serial, or gpsd).", {
  enabled: z.boolean().default(false).describe("Read a GPS receiver."),
  source: z
    .discriminatedUnion("type", [serialGpsSchema, gpsdSchema, replayGpsSchema])
    .describe("Where fixes come from: `serial` (default), `gpsd` or `replay`.")
    .prefault({} as never),
  staleAfterSeconds: seconds(
    "Without a valid fix for this long, GPS health turns `degraded` and `gps.speedKmh` becomes null.",
    5,
    1,
    300,
  ),
  clockSkewAlertSeconds: seconds(
    "Raise a `clock-skew` alert (once) when the system clock differs from GPS time by more than this.",
    60,
    1,
    86_400,
  ),
});

export type GpsConfig = z.output<typeof gpsConfigSchema>;
export type GpsSourceConfig = GpsConfig["source"];
