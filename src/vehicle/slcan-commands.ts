import type { CanFrame } from "./can-frame.js";

/**
 * What camsync sends to an SLCAN adapter, and the frame encoder used by tests, the bench and simulators
 * (camsync itself never transmits on the car's bus).
 */

/**
 * Lawicel `S0`–`S8` bitrates, as in the Lawicel/CANHacker reference and Linux `slcan_bitrate_const`.
 * python-can maps S7 to 750 kbit/s instead of 800 kbit/s and adds a non-standard S9 (83.3k); we follow
 * Lawicel and the kernel (see docs/can-sources-and-gps.md).
 */
export const SLCAN_BITRATES: readonly number[] = [
  10_000, 20_000, 50_000, 100_000, 125_000, 250_000, 500_000, 800_000, 1_000_000,
];

/** `S<n>\r` for a bitrate in bit/s; throws for one the protocol cannot select. */
export function bitrateCommand(bitrate: number): string {
  const code = SLCAN_BITRATES.indexOf(bitrate);
  if (code < 0) {
    throw new RangeError(
      `SLCAN cannot select ${bitrate} bit/s; supported: ${SLCAN_BITRATES.map((b) => b / 1000).join(", ")} kbit/s`,
    );
  }
  return `S${code}\r`;
}

export const SLCAN_COMMANDS = {
  close: "C\r",
  open: "O\r",
  listenOnly: "L\r",
  timestampsOn: "Z1\r",
  timestampsOff: "Z0\r",
  version: "V\r",
  serial: "N\r",
  statusFlags: "F\r",
} as const;

/** A frame to encode: a CanFrame, optionally CAN FD and/or with a device timestamp. */
export interface SlcanEncodable extends Pick<CanFrame, "id" | "extended" | "remote" | "dlc" | "data"> {
  fd?: boolean;
  brs?: boolean;
  /** Device timestamp, ms within the minute (0–59999), appended as 4 hex digits. */
  deviceTimeMs?: number;
}

export interface SlcanEncodeOptions {
  /** Kernel, slcanpty and python-can write upper case (the default); some firmwares (cvra) lower case. */
  hexCase?: "upper" | "lower";
}

const FD_CODES = new Map([
  [12, "9"],
  [16, "A"],
  [20, "B"],
  [24, "C"],
  [32, "D"],
  [48, "E"],
  [64, "F"],
]);

function hex(value: number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, "0");
}

export function encodeSlcanFrame(frame: SlcanEncodable, opts: SlcanEncodeOptions = {}): string {
  let head: string;
  if (frame.fd) head = frame.brs ? "b" : "d";
  else head = frame.remote ? "r" : "t";
  if (frame.extended) head = head.toUpperCase();
  let len: string;
  if (frame.fd && frame.dlc > 8) {
    const code = FD_CODES.get(frame.dlc);
    if (code === undefined) throw new RangeError(`invalid CAN FD length ${frame.dlc}`);
    len = code;
  } else {
    if (frame.dlc < 0 || frame.dlc > 8) throw new RangeError(`invalid DLC ${frame.dlc}`);
    len = String(frame.dlc);
  }
  let body = hex(frame.id, frame.extended ? 8 : 3) + len;
  if (!frame.remote) {
    for (let i = 0; i < frame.dlc; i++) body += hex(frame.data[i] ?? 0, 2);
  }
  if (frame.deviceTimeMs !== undefined) body += hex(frame.deviceTimeMs, 4);
  if (opts.hexCase === "lower") body = body.toLowerCase();
  return `${head}${body}\r`;
}
