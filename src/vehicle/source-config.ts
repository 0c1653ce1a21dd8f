import { z } from "zod";
import { millis } from "../config/describe.js";
import { backoffSchema } from "../core/backoff.js";
import { SLCAN_BITRATES } from "./slcan-commands.js";

export const slcanSourceSchema = z
  .strictObject({
    type: z
      .literal("slcan")
      .default("slcan")
      .describe("An SLCAN (Lawicel) USB adapter: CANable, CANtact, USBtin …"),
    path: z
      .string()
      .min(1)
      .default("/dev/ttyACM0")
      .describe(
        "Serial device. Use the stable /dev/serial/by-id/… link: it survives unplug and re-enumeration.",
      ),
    baudRate: z
      .number()
      .int()
      .positive()
      .default(115_200)
      .describe(
        "Serial baud rate (ignored by USB CDC adapters such as the CANable; USBtin and FTDI-based ones need it).",
      ),
    bitrate: z
      .number()
      .int()
      .refine((b) => SLCAN_BITRATES.includes(b), {
        message: `SLCAN supports ${SLCAN_BITRATES.join(", ")} bit/s (S0–S8)`,
      })
      .default(500_000)
      .describe("CAN bus bitrate in bit/s, sent as S0–S8 (S7 = 800000). Most cars' HS-CAN: 500000."),
    listenOnly: z
      .boolean()
      .default(true)
      .describe(
        "Open the channel with `L` (silent: the adapter never ACKs or writes on the car's bus). false sends `O`.",
      ),
    timestamps: z
      .boolean()
      .default(false)
      .describe("Ask the adapter for its own millisecond timestamps (`Z1`) and use them for frame spacing."),
    queryVersion: z
      .boolean()
      .default(true)
      .describe("Ask the adapter's version (`V`) when opening; it is not required to answer."),
    channel: z.string().min(1).default("slcan0").describe("Channel name put on the frames."),
    commandTimeoutMs: millis(
      "How long each open-handshake command waits for the adapter's CR or BEL.",
      1000,
      50,
      30_000,
    ),
    reconnect: backoffSchema("reopening the serial port", 250, 5000),
  })
  .describe("SLCAN adapter on a serial line.");

export const socketcanSourceSchema = z
  .strictObject({
    type: z.literal("socketcan").describe("A SocketCAN interface, read through `candump -L` (can-utils)."),
    interface: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,15}$/, "expected a network interface name")
      .default("can0")
      .describe("SocketCAN interface (configure bitrate and listen-only with `ip link`)."),
    candump: z.string().min(1).default("candump").describe("The candump executable."),
    restart: backoffSchema("restarting candump", 500, 10_000),
  })
  .describe("SocketCAN through a supervised `candump -L` child process.");

export const replaySourceSchema = z
  .strictObject({
    type: z.literal("replay").describe("Replay a `candump -L` log file (demo, bench, installer checks)."),
    file: z.string().min(1).describe("The candump -L log to replay."),
    speed: z
      .number()
      .min(0)
      .max(1000)
      .default(1)
      .describe(
        "1 = the original pace, 2 = twice as fast …; 0 = as fast as possible (original timestamps kept).",
      ),
    loop: z.boolean().default(false).describe("Start again at the end of the file."),
  })
  .describe("A candump log replayed at its original pace (or faster).");

// Owned by the CAN-source work (SLCAN / SocketCAN / replay).
export const canSourceConfigSchema = z
  .discriminatedUnion("type", [slcanSourceSchema, socketcanSourceSchema, replaySourceSchema])
  .describe("Where CAN frames come from: `slcan` (default), `socketcan` or `replay`.")
  .prefault({} as never);

export type CanSourceConfig = z.output<typeof canSourceConfigSchema>;
export type SlcanSourceConfig = z.output<typeof slcanSourceSchema>;
export type SocketcanSourceConfig = z.output<typeof socketcanSourceSchema>;
export type ReplaySourceConfig = z.output<typeof replaySourceSchema>;
