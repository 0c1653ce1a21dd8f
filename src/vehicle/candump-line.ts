import type { CanFrame } from "./can-frame.js";
import { LineSplitter } from "./line-splitter.js";

/**
 * One line of `candump -L` / `candump -l` log format (can-utils), e.g.
 *   (1487342025.622147) can0 415#0000C35000000000     standard id, 3 hex digits
 *   (1487342025.622147) can0 12ABCDEF#AA55            extended id, 8 hex digits
 *   (1487342025.622147) can0 123#R   or  123#R4      remote frame (optional length digit)
 *   (1487342025.622147) can0 123##1AABB…             CAN FD: skipped by camsync (classic CAN only)
 *   (1487342025.622147) can0 20000080#0000000000000000   error frame (CAN_ERR_FLAG): skipped
 * Classic frames may carry a `_X` suffix (len8_dlc for DLC 9–15): the data length is what counts.
 */
export type CandumpLine =
  | { kind: "frame"; frame: CanFrame }
  | { kind: "fd" }
  | { kind: "error-frame" }
  | { kind: "empty" }
  | { kind: "invalid"; reason: string };

const CAN_ERR_FLAG = 0x20000000;
const HEX_ID = /^[0-9A-Fa-f]+$/;
const HEX_DATA = /^(?:[0-9A-Fa-f]{2}){0,8}$/;
const EMPTY: Uint8Array = new Uint8Array(0);
/** Far beyond any candump line (CAN FD: ~170 chars); a longer run without newline is dropped. */
const MAX_LINE = 4096;

/** Parse one log line (without its newline). Never throws. */
export function parseCandumpLine(line: string): CandumpLine {
  const text = line.trim();
  if (text === "") return { kind: "empty" };
  if (text.charCodeAt(0) !== 0x28 /* ( */) return { kind: "invalid", reason: "no (timestamp)" };
  const close = text.indexOf(") ");
  if (close < 0) return { kind: "invalid", reason: "no (timestamp)" };
  const timestamp = Number(text.slice(1, close));
  if (!Number.isFinite(timestamp) || timestamp < 0) return { kind: "invalid", reason: "bad timestamp" };
  const space = text.indexOf(" ", close + 2);
  if (space < 0) return { kind: "invalid", reason: "no frame" };
  const channel = text.slice(close + 2, space);
  const body = text.slice(space + 1);
  const hash = body.indexOf("#");
  if (hash < 0) return { kind: "invalid", reason: "no '#'" };
  if (body.charCodeAt(hash + 1) === 0x23 /* # */) return { kind: "fd" };
  const idText = body.slice(0, hash);
  if (!HEX_ID.test(idText) || (idText.length !== 3 && idText.length !== 8)) {
    return { kind: "invalid", reason: "bad identifier" };
  }
  const id = Number.parseInt(idText, 16);
  const extended = idText.length === 8;
  if (extended && id & CAN_ERR_FLAG) return { kind: "error-frame" };
  if (id > (extended ? 0x1fffffff : 0x7ff)) return { kind: "invalid", reason: "identifier out of range" };
  let payload = body.slice(hash + 1);
  if (payload.length >= 2 && payload.charCodeAt(payload.length - 2) === 0x5f /* _ */)
    payload = payload.slice(0, -2);
  if (payload.charCodeAt(0) === 0x52 /* R */) {
    const rest = payload.slice(1);
    if (rest !== "" && !/^[0-8]$/.test(rest)) return { kind: "invalid", reason: "bad remote length" };
    const dlc = rest === "" ? 0 : Number(rest);
    return { kind: "frame", frame: { id, extended, remote: true, dlc, data: EMPTY, timestamp, channel } };
  }
  if (!HEX_DATA.test(payload)) return { kind: "invalid", reason: "bad data" };
  const data = Uint8Array.from(Buffer.from(payload, "hex"));
  return {
    kind: "frame",
    frame: { id, extended, remote: false, dlc: data.length, data, timestamp, channel },
  };
}

/** Counts of what a stream of candump lines held besides frames. */
export interface CandumpCounts {
  frames: number;
  fdSkipped: number;
  errorFramesSkipped: number;
  invalid: number;
  lastInvalid: { reason: string; line: string } | null;
}

export function emptyCandumpCounts(): CandumpCounts {
  return { frames: 0, fdSkipped: 0, errorFramesSkipped: 0, invalid: 0, lastInvalid: null };
}

/**
 * Turns text arriving in arbitrary chunks (candump's stdout, a log file) into frames; a line may span chunks.
 */
export class CandumpLineSplitter {
  private readonly lines = new LineSplitter(MAX_LINE);
  private readonly tally = emptyCandumpCounts();

  get counts(): CandumpCounts {
    return { ...this.tally, invalid: this.tally.invalid + this.lines.dropped };
  }

  /** Frames in the complete lines of `chunk`; a trailing partial line waits for the next chunk. */
  push(chunk: string): CanFrame[] {
    return this.parse(this.lines.push(chunk));
  }

  /** The last line, if the input did not end with a newline. */
  end(): CanFrame[] {
    return this.parse(this.lines.end());
  }

  private parse(lines: string[]): CanFrame[] {
    const frames: CanFrame[] = [];
    const c = this.tally;
    for (const line of lines) {
      const r = parseCandumpLine(line);
      switch (r.kind) {
        case "frame":
          c.frames++;
          frames.push(r.frame);
          break;
        case "fd":
          c.fdSkipped++;
          break;
        case "error-frame":
          c.errorFramesSkipped++;
          break;
        case "invalid":
          c.invalid++;
          c.lastInvalid = { reason: r.reason, line: line.slice(0, 80) };
          break;
        case "empty":
          break;
      }
    }
    return frames;
  }
}
