/**
 * One vehicle signal: where it sits in a CAN frame and how its raw bits become a physical value.
 * Comes from a DBC file (`SG_` lines) or from an inline definition in the config.
 */
export type ByteOrder = "intel" | "motorola";

/** DBC `SIG_VALTYPE_`: most signals are integers; a few are IEEE floats. */
export type SignalValueType = "integer" | "float32" | "float64";

export interface SignalDefinition {
  name: string;
  /** Arbitration id (without the DBC's extended-id flag bit). */
  messageId: number;
  extended: boolean;
  /** Name of the DBC message (`BO_`), when known. */
  messageName?: string;
  /**
   * Start bit in DBC numbering: Intel (`@1`): the least significant bit; Motorola (`@0`): the most
   * significant bit, in DBC's sawtooth numbering (bit 7 of byte 0 is 7, bit 0 of byte 1 is 8).
   */
  startBit: number;
  length: number;
  byteOrder: ByteOrder;
  signed: boolean;
  valueType: SignalValueType;
  scale: number;
  offset: number;
  unit: string;
  /** Raw value → name (DBC `VAL_`). */
  valueTable: ReadonlyMap<number, string>;
  /** This signal selects which multiplexed signals a frame carries (DBC `M`). */
  multiplexor?: boolean;
  /** Present only when the message's multiplexor has this raw value (DBC `m<n>`). */
  multiplexValue?: number;
}

/** The key a frame's id is looked up by: extended ids live above 2^32 so they never meet standard ones. */
export function messageKey(id: number, extended: boolean): number {
  return extended ? id + 0x1_0000_0000 : id;
}

/** `0x415`, `0x18FEF100`: how ids are shown to installers. */
export function formatMessageId(id: number, extended: boolean): string {
  const hex = id.toString(16).toUpperCase();
  return `0x${extended ? hex.padStart(8, "0") : hex}`;
}

/** The label of a value in the signal's value table, if the value is an integer with one. */
export function valueLabel(def: SignalDefinition, physical: number): string | undefined {
  if (def.valueTable.size === 0 || def.scale === 0) return undefined;
  const raw = Math.round((physical - def.offset) / def.scale);
  return def.valueTable.get(raw);
}

/** The physical value a value-table name stands for. */
export function labelValue(def: SignalDefinition, label: string): number | undefined {
  for (const [raw, name] of def.valueTable) if (name === label) return raw * def.scale + def.offset;
  return undefined;
}
