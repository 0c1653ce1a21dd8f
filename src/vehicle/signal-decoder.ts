import type { CanFrame } from "./can-frame.js";
import { formatMessageId, messageKey, type SignalDefinition } from "./signal.js";

/**
 * Decoding with precomputed extraction plans: each signal becomes a few (byte, shift, mask, weight)
 * segments worked out once from its start bit, length and byte order, so decoding a frame is a Map
 * lookup and a handful of shifts. Only the ids of the signals asked for are looked at.
 */
interface Segment {
  byte: number;
  shift: number;
  mask: number;
  /** 2^(position of the segment's lowest bit in the raw value). */
  weight: number;
  /** Same, as a bit count, for the BigInt path. */
  weightBits: number;
}

export interface SignalPlan {
  readonly def: SignalDefinition;
  readonly segments: readonly Segment[];
  /** Frames shorter than this do not carry the signal. */
  readonly minBytes: number;
  /** Raw values wider than 52 bits (and doubles) take the exact BigInt path. */
  readonly wide: boolean;
  /** 10^decimals of scale/offset, to drop float noise (27.800000000000004 → 27.8); 0 = integral. */
  readonly rounding: number;
}

/** The bit positions a signal covers, most significant first, as (byte, bit-in-byte). */
function bitPositions(def: SignalDefinition): { byte: number; bit: number }[] {
  const out: { byte: number; bit: number }[] = [];
  if (def.byteOrder === "intel") {
    for (let k = def.length - 1; k >= 0; k--) {
      const pos = def.startBit + k;
      out.push({ byte: pos >> 3, bit: pos & 7 });
    }
  } else {
    // Motorola: start at the MSB and walk the sawtooth: 7..0 of byte n, then 7..0 of byte n+1.
    let pos = def.startBit;
    for (let k = 0; k < def.length; k++) {
      out.push({ byte: pos >> 3, bit: pos & 7 });
      pos = (pos & 7) === 0 ? pos + 15 : pos - 1;
    }
  }
  return out;
}

function decimals(n: number): number {
  const s = String(Math.abs(n));
  const exp = /e-(\d+)$/.exec(s);
  if (exp) return Number(exp[1]) + (s.split("e")[0]?.split(".")[1]?.length ?? 0);
  return s.split(".")[1]?.length ?? 0;
}

export function compileSignal(def: SignalDefinition): SignalPlan {
  const bits = bitPositions(def);
  const segments: Segment[] = [];
  // bits[i] has weight length-1-i; consecutive bits of one byte with consecutive weights form one segment.
  for (let i = 0; i < bits.length; ) {
    const first = bits[i];
    if (!first) break;
    let j = i + 1;
    while (j < bits.length && bits[j]?.byte === first.byte && bits[j]?.bit === first.bit - (j - i)) j++;
    const width = j - i;
    const lowWeight = def.length - j;
    segments.push({
      byte: first.byte,
      shift: first.bit - width + 1,
      mask: (1 << width) - 1,
      weight: 2 ** lowWeight,
      weightBits: lowWeight,
    });
    i = j;
  }
  const d = Math.max(decimals(def.scale), decimals(def.offset));
  return {
    def,
    segments,
    minBytes: Math.max(...bits.map((b) => b.byte)) + 1,
    wide: def.length > 52 || def.valueType === "float64",
    rounding: d > 0 && d <= 12 ? 10 ** d : 0,
  };
}

const f32 = new DataView(new ArrayBuffer(8));

/** The signal's raw (unscaled) value, or undefined when the frame is too short to hold it. */
export function rawValue(plan: SignalPlan, data: Uint8Array): number | undefined {
  if (data.length < plan.minBytes) return undefined;
  if (plan.wide) return wideRawValue(plan, data);
  let raw = 0;
  for (const s of plan.segments) raw += (((data[s.byte] ?? 0) >> s.shift) & s.mask) * s.weight;
  const def = plan.def;
  if (def.valueType === "float32") {
    f32.setUint32(0, raw);
    return f32.getFloat32(0);
  }
  if (def.signed && raw >= 2 ** (def.length - 1)) raw -= 2 ** def.length;
  return raw;
}

function wideRawValue(plan: SignalPlan, data: Uint8Array): number {
  let raw = 0n;
  for (const s of plan.segments)
    raw |= BigInt(((data[s.byte] ?? 0) >> s.shift) & s.mask) << BigInt(s.weightBits);
  const def = plan.def;
  if (def.valueType === "float64") {
    f32.setBigUint64(0, raw);
    return f32.getFloat64(0);
  }
  if (def.signed && raw >= 1n << BigInt(def.length - 1)) raw -= 1n << BigInt(def.length);
  return Number(raw);
}

/** raw × scale + offset, without binary-fraction noise. */
export function physicalValue(plan: SignalPlan, raw: number): number {
  const v = raw * plan.def.scale + plan.def.offset;
  return plan.rounding === 0 ? v : Math.round(v * plan.rounding) / plan.rounding;
}

export function decodeSignal(plan: SignalPlan, data: Uint8Array): number | undefined {
  const raw = rawValue(plan, data);
  return raw === undefined ? undefined : physicalValue(plan, raw);
}

interface MessagePlan {
  multiplexor?: SignalPlan;
  /** Signal index (into FrameDecoder.signals) and plan; muxValue set for multiplexed signals. */
  entries: { index: number; plan: SignalPlan; muxValue: number | undefined }[];
}

/** Decodes a fixed set of signals from frames: a Map from frame id to the plans of that id's signals. */
export class FrameDecoder {
  readonly plans: readonly SignalPlan[];
  private readonly byKey = new Map<number, MessagePlan>();

  /** `signals` must include the multiplexor of every multiplexed signal given. */
  constructor(readonly signals: readonly SignalDefinition[]) {
    this.plans = signals.map(compileSignal);
    this.plans.forEach((plan, index) => {
      const key = messageKey(plan.def.messageId, plan.def.extended);
      let msg = this.byKey.get(key);
      if (!msg) {
        msg = { entries: [] };
        this.byKey.set(key, msg);
      }
      if (plan.def.multiplexor) msg.multiplexor = plan;
      msg.entries.push({ index, plan, muxValue: plan.def.multiplexValue });
    });
    for (const [key, msg] of this.byKey) {
      if (!msg.multiplexor && msg.entries.some((e) => e.muxValue !== undefined)) {
        const first = msg.entries[0]?.plan.def;
        const id = first ? formatMessageId(first.messageId, first.extended) : String(key);
        throw new Error(`multiplexed signals of ${id} need their multiplexor signal`);
      }
    }
  }

  /** Whether any signal lives in frames with this id. */
  wants(frame: CanFrame): boolean {
    return this.byKey.has(frame.extended ? frame.id + 0x1_0000_0000 : frame.id);
  }

  /** Calls `emit(signalIndex, physicalValue)` for each wanted signal the frame carries. */
  decode(frame: CanFrame, emit: (index: number, value: number) => void): void {
    if (frame.remote) return;
    const msg = this.byKey.get(frame.extended ? frame.id + 0x1_0000_0000 : frame.id);
    if (!msg) return;
    const data = frame.data;
    let mux: number | undefined;
    if (msg.multiplexor) mux = rawValue(msg.multiplexor, data);
    for (const e of msg.entries) {
      if (e.muxValue !== undefined && e.muxValue !== mux) continue;
      const raw = rawValue(e.plan, data);
      if (raw !== undefined) emit(e.index, physicalValue(e.plan, raw));
    }
  }
}
