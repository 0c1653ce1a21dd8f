import type { CanFrame } from "./can-frame.js";
import type { SlcanTimeline } from "./slcan-timeline.js";

/**
 * Incremental SLCAN (Lawicel / CAN232 / CANUSB ASCII) decoder: bytes in, frames and adapter replies out.
 *
 * Pure and allocation-light: hex is decoded straight from the received bytes, a line that sits wholly
 * inside one read is parsed in place, and only a line split across reads is copied. It never throws on
 * input; malformed lines are counted and reported as `garbage` messages.
 *
 * Accepted lines (terminated by CR; a BEL also ends a line and is reported as a NACK):
 * - `tiiiL<data>[tttt]`, `Tiiiiiiii L<data>[tttt]` (and `x`, the CANDapter alias of `T`): data frames;
 * - `riiiL[tttt]`, `RiiiiiiiiL[tttt]`: remote frames (the DLC digit may be missing, as slcanpty tolerates);
 * - `d`/`D`/`b`/`B`: CAN FD frames (reported as `fd-frame`, never as CanFrame);
 * - empty line (bare CR) = ACK, BEL = NACK, `z`/`Z` = transmit ACK, `Vhhss` version, `Nxxxx` serial,
 *   `Fxx` status flags, `s…` bus state and `e…` bus errors (Linux slcan extensions).
 * `tttt` is the optional device timestamp (4 hex digits, ms within the minute, wraps at 60000).
 * Hex digits are accepted in either case.
 */

export type SlcanBusState = "error-active" | "error-warning" | "error-passive" | "bus-off";

/** A CAN FD frame seen on the line. camsync's classic-CAN pipeline skips these (with a count). */
export interface SlcanFdFrame {
  id: number;
  extended: boolean;
  /** Data length in bytes (0–64). */
  dlc: number;
  data: Uint8Array;
  brs: boolean;
  timestamp: number;
}

export type SlcanMessage =
  | { kind: "ack" }
  | { kind: "nack" }
  | { kind: "tx-ack" }
  | { kind: "version"; hardware: number; software: number; raw: string }
  | { kind: "serial"; serial: string }
  | { kind: "status-flags"; flags: number }
  | { kind: "bus-state"; state: SlcanBusState; rxErrors: number; txErrors: number }
  | { kind: "bus-error"; errors: string[] }
  | { kind: "fd-frame"; frame: SlcanFdFrame }
  | { kind: "garbage"; reason: string; line: string };

/** What one `push` produced. `messages` is everything that is not a classic CAN frame. */
export interface SlcanOutput {
  frames: CanFrame[];
  messages: SlcanMessage[];
}

export interface SlcanParserStats {
  lines: number;
  frames: number;
  fdFrames: number;
  garbage: number;
  nacks: number;
  overlong: number;
}

export interface SlcanParserOptions {
  /** Channel name put on every frame. */
  channel?: string;
  /** When given, device timestamps (`tttt`) are turned into epoch time through it; else host time is used. */
  timeline?: SlcanTimeline;
}

const CR = 0x0d;
const LF = 0x0a;
const BEL = 0x07;

/** Longest valid line: `D` + 8 id + 1 dlc + 128 data + 4 timestamp. Anything longer is garbage. */
export const SLCAN_MAX_LINE = 142;

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

/** CAN FD DLC code → byte count. */
const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

const BUS_ERRORS: Record<string, string> = {
  a: "ACK",
  b: "Bit0",
  B: "Bit1",
  c: "CRC",
  f: "Form",
  o: "Rx overrun",
  O: "Tx overrun",
  s: "Stuff",
};

const BUS_STATES: Record<string, SlcanBusState> = {
  a: "error-active",
  w: "error-warning",
  p: "error-passive",
  b: "bus-off",
};

const EMPTY: Uint8Array = new Uint8Array(0);

export class SlcanParser {
  private carry = new Uint8Array(SLCAN_MAX_LINE);
  private carryLen = 0;
  /** The current line outgrew SLCAN_MAX_LINE: drop bytes until the next terminator. */
  private overflowing = false;
  private readonly channel: string | undefined;
  private readonly timeline: SlcanTimeline | undefined;
  private out: SlcanOutput = { frames: [], messages: [] };
  private receivedAt = 0;
  readonly stats: SlcanParserStats = { lines: 0, frames: 0, fdFrames: 0, garbage: 0, nacks: 0, overlong: 0 };

  constructor(opts: SlcanParserOptions = {}) {
    this.channel = opts.channel;
    this.timeline = opts.timeline;
  }

  /** Feed received bytes. `receivedAt` is the host reception time in epoch seconds. */
  push(chunk: Uint8Array, receivedAt: number): SlcanOutput {
    this.out = { frames: [], messages: [] };
    this.receivedAt = receivedAt;
    let start = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i] as number;
      if (b !== CR && b !== BEL && b !== LF) continue;
      if (this.overflowing) {
        this.overflowing = false;
        this.carryLen = 0;
      } else if (this.carryLen > 0) {
        if (this.appendCarry(chunk, start, i)) this.line(this.carry, 0, this.carryLen, b);
        this.carryLen = 0;
      } else {
        this.line(chunk, start, i, b);
      }
      if (b === BEL) {
        this.stats.nacks++;
        this.out.messages.push({ kind: "nack" });
      }
      start = i + 1;
    }
    if (start < n && !this.overflowing) this.appendCarry(chunk, start, n);
    return this.out;
  }

  /** Forget a partial line (after a reconnect the adapter starts afresh). */
  reset(): void {
    this.carryLen = 0;
    this.overflowing = false;
  }

  private appendCarry(chunk: Uint8Array, start: number, end: number): boolean {
    const len = end - start;
    if (this.carryLen + len > SLCAN_MAX_LINE) {
      this.garbage("overlong line", this.carry, 0, Math.min(this.carryLen, 40));
      this.stats.overlong++;
      this.carryLen = 0;
      this.overflowing = true;
      return false;
    }
    this.carry.set(chunk.subarray(start, end), this.carryLen);
    this.carryLen += len;
    return true;
  }

  private line(buf: Uint8Array, start: number, end: number, terminator: number): void {
    if (end === start) {
      if (terminator === CR) this.out.messages.push({ kind: "ack" });
      return;
    }
    this.stats.lines++;
    if (end - start > SLCAN_MAX_LINE) {
      this.stats.overlong++;
      this.garbage("overlong line", buf, start, start + 40);
      return;
    }
    const problem = this.dispatch(buf, start, end);
    if (problem !== undefined) this.garbage(problem, buf, start, end);
  }

  /** Decode one line; returns why it is garbage, if it is. */
  private dispatch(buf: Uint8Array, start: number, end: number): string | undefined {
    switch (buf[start]) {
      case 0x74: // t
        return this.frame(buf, start, end, 3, false);
      case 0x54: // T
      case 0x78: // x
        return this.frame(buf, start, end, 8, false);
      case 0x72: // r
        return this.frame(buf, start, end, 3, true);
      case 0x52: // R
        return this.frame(buf, start, end, 8, true);
      case 0x64: // d
        return this.fdFrame(buf, start, end, 3, false);
      case 0x44: // D
        return this.fdFrame(buf, start, end, 8, false);
      case 0x62: // b
        return this.fdFrame(buf, start, end, 3, true);
      case 0x42: // B
        return this.fdFrame(buf, start, end, 8, true);
      default:
        return this.reply(buf, start, end);
    }
  }

  private frame(
    buf: Uint8Array,
    start: number,
    end: number,
    idLen: number,
    remote: boolean,
  ): string | undefined {
    let p = start + 1;
    if (end - p < idLen) return "truncated frame";
    const id = readHex(buf, p, idLen);
    p += idLen;
    const extended = idLen === 8;
    if (id < 0) return "bad identifier";
    if (id > (extended ? 0x1fffffff : 0x7ff)) return "identifier out of range";
    let dlc = 0;
    if (p < end) {
      dlc = (buf[p] as number) - 0x30;
      if (dlc < 0 || dlc > 8) return "bad length digit";
      p++;
    } else if (!remote) {
      return "truncated frame";
    }
    let data = EMPTY;
    if (!remote && dlc > 0) {
      if (end - p < dlc * 2) return "truncated data";
      data = readBytes(buf, p, dlc);
      if (data === EMPTY) return "bad data byte";
      p += dlc * 2;
    }
    const timestamp = this.timestampAt(buf, p, end);
    if (timestamp < 0) return "unexpected characters after data";
    this.stats.frames++;
    const frame: CanFrame = { id, extended, remote, dlc, data, timestamp };
    if (this.channel !== undefined) frame.channel = this.channel;
    this.out.frames.push(frame);
    return undefined;
  }

  private fdFrame(
    buf: Uint8Array,
    start: number,
    end: number,
    idLen: number,
    brs: boolean,
  ): string | undefined {
    let p = start + 1;
    if (end - p < idLen + 1) return "truncated frame";
    const id = readHex(buf, p, idLen);
    p += idLen;
    const extended = idLen === 8;
    if (id < 0) return "bad identifier";
    if (id > (extended ? 0x1fffffff : 0x7ff)) return "identifier out of range";
    const code = HEX[buf[p++] as number] as number;
    if (code < 0) return "bad length digit";
    const dlc = FD_LENGTHS[code] as number;
    if (end - p < dlc * 2) return "truncated data";
    const data = dlc === 0 ? new Uint8Array(0) : readBytes(buf, p, dlc);
    if (data === EMPTY) return "bad data byte";
    p += dlc * 2;
    const timestamp = this.timestampAt(buf, p, end);
    if (timestamp < 0) return "unexpected characters after data";
    this.stats.fdFrames++;
    this.out.messages.push({ kind: "fd-frame", frame: { id, extended, dlc, data, brs, timestamp } });
    return undefined;
  }

  /** Epoch seconds for a frame whose data ended at `p`: host time, or the device timestamp if present. -1 if the tail is invalid. */
  private timestampAt(buf: Uint8Array, p: number, end: number): number {
    const rest = end - p;
    if (rest === 0) return this.receivedAt;
    if (rest !== 4) return -1;
    const ms = readHex(buf, p, 4);
    if (ms < 0 || ms >= 60_000) return -1;
    return this.timeline ? this.timeline.toEpochSeconds(ms, this.receivedAt) : this.receivedAt;
  }

  private reply(buf: Uint8Array, start: number, end: number): string | undefined {
    const text = ascii(buf, start, end);
    const head = text[0];
    const rest = text.slice(1);
    const m = this.out.messages;
    if ((head === "z" || head === "Z") && rest === "") {
      m.push({ kind: "tx-ack" });
    } else if (head === "V" && /^[0-9A-Fa-f]{4}$/.test(rest)) {
      // python-can reads the two 2-digit fields as decimal (V1013 → hw 10, sw 13).
      const hardware = Number.parseInt(rest.slice(0, 2), 10);
      const software = Number.parseInt(rest.slice(2), 10);
      m.push({ kind: "version", hardware, software, raw: rest });
    } else if (head === "N" && /^[0-9A-Za-z]{1,16}$/.test(rest)) {
      m.push({ kind: "serial", serial: rest });
    } else if (head === "F" && /^[0-9A-Fa-f]{2}$/.test(rest)) {
      m.push({ kind: "status-flags", flags: Number.parseInt(rest, 16) });
    } else if (head === "s" && /^[awpb][0-9]{6}$/.test(rest)) {
      const state = BUS_STATES[rest[0] as string] as SlcanBusState;
      const rxErrors = Number.parseInt(rest.slice(1, 4), 10);
      const txErrors = Number.parseInt(rest.slice(4, 7), 10);
      m.push({ kind: "bus-state", state, rxErrors, txErrors });
    } else if (!(head === "e" && this.busError(rest))) {
      return "unknown line";
    }
    return undefined;
  }

  private busError(rest: string): boolean {
    const count = rest.charCodeAt(0) - 0x30;
    if (!(count >= 1 && count <= 8) || rest.length !== count + 1) return false;
    const errors: string[] = [];
    for (const c of rest.slice(1)) {
      const name = BUS_ERRORS[c];
      if (name === undefined) return false;
      errors.push(name);
    }
    this.out.messages.push({ kind: "bus-error", errors });
    return true;
  }

  private garbage(reason: string, buf: Uint8Array, start: number, end: number): void {
    this.stats.garbage++;
    this.out.messages.push({ kind: "garbage", reason, line: ascii(buf, start, Math.min(end, start + 40)) });
  }
}

/** `digits` hex digits at `p` as a number, or -1 if any is not hex. */
function readHex(buf: Uint8Array, p: number, digits: number): number {
  let v = 0;
  for (const end = p + digits; p < end; p++) {
    const h = HEX[buf[p] as number] as number;
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/** `count` bytes written as hex pairs at `p`, or EMPTY if any digit is not hex. */
function readBytes(buf: Uint8Array, p: number, count: number): Uint8Array {
  const data = new Uint8Array(count);
  for (let k = 0; k < count; k++, p += 2) {
    const hi = HEX[buf[p] as number] as number;
    const lo = HEX[buf[p + 1] as number] as number;
    if (hi < 0 || lo < 0) return EMPTY;
    data[k] = (hi << 4) | lo;
  }
  return data;
}

/** Printable rendering of a line for reports (control bytes as \xNN). */
function ascii(buf: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end && i < buf.length; i++) {
    const b = buf[i] as number;
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return s;
}
