import { describe, expect, it } from "vitest";
import type { CanFrame } from "./can-frame.js";
import { parseDbc } from "./dbc.js";
import type { SignalDefinition } from "./signal.js";
import { compileSignal, decodeSignal, FrameDecoder } from "./signal-decoder.js";

function sig(
  partial: Partial<SignalDefinition> & Pick<SignalDefinition, "startBit" | "length" | "byteOrder">,
) {
  return {
    name: "S",
    messageId: 1,
    extended: false,
    signed: false,
    valueType: "integer",
    scale: 1,
    offset: 0,
    unit: "",
    valueTable: new Map(),
    ...partial,
  } satisfies SignalDefinition;
}

const frame = (id: number, bytes: number[], extended = false): CanFrame => ({
  id,
  extended,
  remote: false,
  dlc: bytes.length,
  data: Uint8Array.from(bytes),
  timestamp: 0,
});

// Expected values are written out with explicit bit arithmetic for each layout, not with the decoder.
describe("signal extraction", () => {
  const bytes = [0x9a, 0xb7, 0x5c, 0xe1, 0x03, 0x80, 0x7f, 0xc4];
  const [b0 = 0, b1 = 0, b2 = 0, , , , b6 = 0, b7 = 0] = bytes;
  const data = Uint8Array.from(bytes);

  it.each([
    // Intel 12|10: bits 4..7 of byte 1 are bits 0..3, bits 0..5 of byte 2 are bits 4..9.
    ["intel 12|10", sig({ startBit: 12, length: 10, byteOrder: "intel" }), (b1 >> 4) | ((b2 & 0x3f) << 4)],
    // Motorola 12|10: MSB is bit 4 of byte 1; bits 4..0 of byte 1, then bits 7..3 of byte 2.
    [
      "motorola 12|10",
      sig({ startBit: 12, length: 10, byteOrder: "motorola" }),
      ((b1 & 0x1f) << 5) | (b2 >> 3),
    ],
    // Motorola 7|16 (Ford speed layout): byte 0 then byte 1, big-endian.
    ["motorola 7|16", sig({ startBit: 7, length: 16, byteOrder: "motorola" }), (b0 << 8) | b1],
    // Intel 0|16: byte 0 low, byte 1 high.
    ["intel 0|16", sig({ startBit: 0, length: 16, byteOrder: "intel" }), b0 | (b1 << 8)],
    // Single bits.
    ["intel bit 61", sig({ startBit: 61, length: 1, byteOrder: "intel" }), (b7 >> 5) & 1],
    ["motorola bit 54", sig({ startBit: 54, length: 1, byteOrder: "motorola" }), (b6 >> 6) & 1],
    // Motorola 4-bit nibble 7|4: the high nibble of byte 0.
    ["motorola 7|4", sig({ startBit: 7, length: 4, byteOrder: "motorola" }), b0 >> 4],
    // Motorola 3|12 spanning three bytes? 3|12: bits 3..0 of byte 0, 7..0 of byte 1.
    ["motorola 3|12", sig({ startBit: 3, length: 12, byteOrder: "motorola" }), ((b0 & 0x0f) << 8) | b1],
    // Intel 20|24: bits 4..7 of byte 2, byte 3, bits 0..3 of byte 4.
    [
      "intel 20|24",
      sig({ startBit: 20, length: 24, byteOrder: "intel" }),
      (b2 >> 4) | ((bytes[3] ?? 0) * 16 + ((bytes[4] ?? 0) & 0x0f) * 4096),
    ],
    // 32-bit motorola 7|32: must not go negative through 32-bit shifts.
    ["motorola 7|32", sig({ startBit: 7, length: 32, byteOrder: "motorola" }), 0x9ab75ce1],
  ])("%s", (_name, def, expected) => {
    expect(decodeSignal(compileSignal(def), data)).toBe(expected);
  });

  it("sign-extends two's-complement values", () => {
    // Intel 0|16 signed: 0xB79A → 0xB79A - 0x10000.
    expect(
      decodeSignal(compileSignal(sig({ startBit: 0, length: 16, byteOrder: "intel", signed: true })), data),
    ).toBe(((b1 << 8) | b0) - 0x10000);
    // Motorola 7|12 signed: 0x9AB → negative.
    expect(
      decodeSignal(
        compileSignal(sig({ startBit: 7, length: 12, byteOrder: "motorola", signed: true })),
        data,
      ),
    ).toBe(((b0 << 4) | (b1 >> 4)) - 4096);
    // Positive stays positive: byte 6 = 0x7F as signed 8-bit intel at 48.
    expect(
      decodeSignal(compileSignal(sig({ startBit: 48, length: 8, byteOrder: "intel", signed: true })), data),
    ).toBe(127);
    // Byte 5 = 0x80 as signed 8-bit: -128.
    expect(
      decodeSignal(compileSignal(sig({ startBit: 40, length: 8, byteOrder: "intel", signed: true })), data),
    ).toBe(-128);
  });

  it("applies scale and offset without float noise", () => {
    const s = sig({ startBit: 7, length: 16, byteOrder: "motorola", scale: 0.01 });
    expect(decodeSignal(compileSignal(s), Uint8Array.from([0x0a, 0xdc]))).toBe(27.8); // 2780 × 0.01
    const t = sig({ startBit: 0, length: 8, byteOrder: "intel", signed: true, scale: 0.5, offset: -40 });
    expect(decodeSignal(compileSignal(t), Uint8Array.from([0xfe]))).toBe(-41); // -2 × 0.5 - 40
  });

  it("decodes 64-bit values exactly and IEEE floats", () => {
    const u64 = sig({ startBit: 0, length: 64, byteOrder: "intel" });
    const big = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0x01]);
    expect(decodeSignal(compileSignal(u64), big)).toBe(Number((1n << 56n) + 1n));
    const f = new DataView(new ArrayBuffer(8));
    f.setFloat32(0, -12.5, true);
    const f32 = sig({ startBit: 0, length: 32, byteOrder: "intel", signed: true, valueType: "float32" });
    expect(decodeSignal(compileSignal(f32), new Uint8Array(f.buffer))).toBe(-12.5);
    f.setFloat64(0, 1234.0625, false);
    const f64 = sig({ startBit: 7, length: 64, byteOrder: "motorola", valueType: "float64" });
    expect(decodeSignal(compileSignal(f64), new Uint8Array(f.buffer))).toBe(1234.0625);
  });

  it("gives no value when the frame is too short for the signal", () => {
    expect(decodeSignal(compileSignal(sig({ startBit: 55, length: 16, byteOrder: "motorola" })), data)).toBe(
      (((bytes[6] ?? 0) << 8) | b7) as number,
    );
    expect(
      decodeSignal(
        compileSignal(sig({ startBit: 55, length: 16, byteOrder: "motorola" })),
        data.subarray(0, 7),
      ),
    ).toBeUndefined();
  });
});

describe("FrameDecoder", () => {
  const db = parseDbc(`BO_ 100 Muxed: 8 ECU
 SG_ Page M : 0|8@1+ (1,0) [0|255] "" GW
 SG_ A m1 : 8|16@1+ (1,0) [0|65535] "" GW
 SG_ B m2 : 8|8@1- (1,0) [-128|127] "" GW
 SG_ Level : 63|4@0+ (1,0) [0|15] "" GW

BO_ 2566840190 Ext: 8 ECU
 SG_ Temp : 0|8@1- (0.5,-40) [-104|23.5] "degC" Vector__XXX
`);
  const signals = [...db.messages.values()].flatMap((m) => m.signals);
  const decoder = new FrameDecoder(signals);
  const decode = (f: CanFrame) => {
    const out: [string, number][] = [];
    decoder.decode(f, (i, v) => out.push([signals[i]?.name ?? "?", v]));
    return out;
  };

  it("decodes only the multiplexed signals the multiplexor selects", () => {
    // Page 1: A = bytes 1..2 little-endian = 0x3412; Level = high nibble of byte 7 = 0xA.
    expect(decode(frame(100, [1, 0x12, 0x34, 0, 0, 0, 0, 0xa5]))).toEqual([
      ["Page", 1],
      ["A", 0x3412],
      ["Level", 0xa],
    ]);
    // Page 2: B = byte 1 as signed = 0xF0 - 0x100.
    expect(decode(frame(100, [2, 0xf0, 0x34, 0, 0, 0, 0, 0x05]))).toEqual([
      ["Page", 2],
      ["B", 0xf0 - 0x100],
      ["Level", 0],
    ]);
    // Page 3: neither.
    expect(decode(frame(100, [3, 0xf0, 0x34, 0, 0, 0, 0, 0x05]))).toEqual([
      ["Page", 3],
      ["Level", 0],
    ]);
  });

  it("keeps extended and standard ids apart and skips remote frames and other ids", () => {
    expect(decode(frame(0x18fedf7e, [0x10], true))).toEqual([["Temp", 0x10 * 0.5 - 40]]);
    expect(decode(frame(0x18fedf7e & 0x7ff, [0x10]))).toEqual([]);
    expect(decode({ ...frame(100, []), remote: true })).toEqual([]);
    expect(decode(frame(0x101, [1, 2, 3]))).toEqual([]);
  });

  it("refuses multiplexed signals without their multiplexor", () => {
    expect(() => new FrameDecoder(signals.filter((s) => s.name === "A"))).toThrow(
      /0x64 need their multiplexor/,
    );
  });
});

describe("every layout against a reference written another way", () => {
  // Reference: the 8 bytes as one 64-bit integer. Intel: little-endian, the signal is bits start… upward.
  // Motorola: big-endian, bits numbered 0 = MSB of byte 0 ("linear"); the start bit (MSB, sawtooth
  // numbering) is linear bit 8·⌊start/8⌋ + 7 − start mod 8 and the signal runs `length` bits from there.
  function reference(
    bytes: Uint8Array,
    start: number,
    length: number,
    order: "intel" | "motorola",
    signed: boolean,
  ) {
    let le = 0n;
    let be = 0n;
    for (let i = 0; i < 8; i++) {
      le |= BigInt(bytes[i] ?? 0) << BigInt(8 * i);
      be = (be << 8n) | BigInt(bytes[i] ?? 0);
    }
    const mask = (1n << BigInt(length)) - 1n;
    let raw: bigint;
    if (order === "intel") raw = (le >> BigInt(start)) & mask;
    else {
      const msb = 8 * Math.floor(start / 8) + 7 - (start % 8);
      raw = (be >> BigInt(64 - (msb + length))) & mask;
    }
    if (signed && raw >> BigInt(length - 1) === 1n) raw -= 1n << BigInt(length);
    return Number(raw);
  }

  it("agrees on 3,000 random layouts, signs and payloads", () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let checked = 0;
    while (checked < 3000) {
      const order = rand(2) === 0 ? "intel" : "motorola";
      const length = 1 + rand(64);
      const start = rand(64);
      // Keep the signal inside 8 bytes.
      const msbLinear = 8 * Math.floor(start / 8) + 7 - (start % 8);
      if (order === "intel" ? start + length > 64 : msbLinear + length > 64) continue;
      const signed = length > 1 && rand(2) === 0;
      const bytes = Uint8Array.from({ length: 8 }, () => rand(256));
      const def = sig({ startBit: start, length, byteOrder: order, signed });
      const want = reference(bytes, start, length, order, signed);
      expect(
        decodeSignal(compileSignal(def), bytes),
        `${start}|${length}@${order}${signed ? "-" : "+"}`,
      ).toBe(want);
      checked++;
    }
  });
});
