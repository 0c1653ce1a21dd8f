import { describe, expect, it } from "vitest";
import { DbcParseError, parseDbc } from "./dbc.js";
import { messageKey } from "./signal.js";

const SAMPLE = `VERSION ""

NS_ :
    CM_
    SIG_VALTYPE_

BS_:

BU_: ECU GW

BO_ 1045 BrakeSysFeatures: 8 ABS_ESC
 SG_ Veh_V_ActlBrk : 7|16@0+ (0.01,0) [0|655.35] "kph"  GW,ECU
 SG_ VehYawLin_W_Rq : 35|12@0+ (0.03663,-75) [-75|74.92659] "deg/s" Vector__XXX

BO_ 2566840190 J1939Thing: 8 ECU
 SG_ Temp : 0|8@1- (0.5,-40) [-104|23.5] "degC" Vector__XXX

BO_ 100 Muxed: 8 ECU
 SG_ Page M : 0|8@1+ (1,0) [0|255] "" GW
 SG_ A m1 : 8|16@1+ (1,0) [0|65535] "" GW
 SG_ B m2 : 8|8@1- (1,0) [-128|127] "" GW
 SG_ Level : 63|4@0+ (1,0) [0|15] "" GW

BO_ 101 Floats: 8 ECU
 SG_ F32 : 0|32@1- (1,0) [0|0] "" GW
 SG_ F64 : 7|64@0- (1,0) [0|0] "" GW

BO_ 3221225472 VECTOR__INDEPENDENT_SIG_MSG: 0 Vector__XXX
 SG_ Orphan : 0|8@1+ (1,0) [0|0] "" Vector__XXX

CM_ SG_ 1045 Veh_V_ActlBrk "Vehicle speed
from the brake module, \\"ABS\\"";
BA_DEF_ SG_ "GenSigStartValue" INT 0 65535;
BA_ "GenSigStartValue" SG_ 1045 Veh_V_ActlBrk 0;
VAL_ 1045 Veh_V_ActlBrk 65535 "Invalid" ;
VAL_ 100 Page 1 "PageA" 2 "PageB"
SIG_VALTYPE_ 101 F32 : 1;
SIG_VALTYPE_ 101 F64 : 2;
`;

describe("parseDbc", () => {
  const db = parseDbc(SAMPLE);

  it("reads messages with standard and extended ids, skipping Vector's independent-signal pseudo-message", () => {
    expect([...db.messages.values()].map((m) => [m.name, m.id, m.extended, m.dlc])).toEqual([
      ["BrakeSysFeatures", 1045, false, 8],
      ["J1939Thing", 0x18fedf7e, true, 8],
      ["Muxed", 100, false, 8],
      ["Floats", 101, false, 8],
    ]);
    expect(db.signalsByName.has("Orphan")).toBe(false);
  });

  it("reads each signal's layout, sign, scale, offset and unit", () => {
    const speed = db.signalsByName.get("Veh_V_ActlBrk")?.[0];
    expect(speed).toMatchObject({
      messageId: 1045,
      messageName: "BrakeSysFeatures",
      startBit: 7,
      length: 16,
      byteOrder: "motorola",
      signed: false,
      scale: 0.01,
      offset: 0,
      unit: "kph",
    });
    expect(db.signalsByName.get("VehYawLin_W_Rq")?.[0]).toMatchObject({ scale: 0.03663, offset: -75 });
    expect(db.signalsByName.get("Temp")?.[0]).toMatchObject({
      messageId: 0x18fedf7e,
      extended: true,
      byteOrder: "intel",
      signed: true,
      scale: 0.5,
      offset: -40,
    });
  });

  it("reads multiplexors and multiplexed signals", () => {
    const muxed = db.messages.get(messageKey(100, false));
    expect(muxed?.signals.map((s) => [s.name, s.multiplexor ?? false, s.multiplexValue])).toEqual([
      ["Page", true, undefined],
      ["A", false, 1],
      ["B", false, 2],
      ["Level", false, undefined],
    ]);
  });

  it("attaches value tables (with or without the closing semicolon), float types and multi-line comments", () => {
    expect([...(db.signalsByName.get("Page")?.[0]?.valueTable ?? [])]).toEqual([
      [1, "PageA"],
      [2, "PageB"],
    ]);
    expect(db.signalsByName.get("Veh_V_ActlBrk")?.[0]?.valueTable.get(65535)).toBe("Invalid");
    expect(db.signalsByName.get("F32")?.[0]?.valueType).toBe("float32");
    expect(db.signalsByName.get("F64")?.[0]?.valueType).toBe("float64");
    expect(db.comments.get("1045:Veh_V_ActlBrk")).toBe('Vehicle speed\nfrom the brake module, "ABS"');
  });

  it("names the line of a malformed signal", () => {
    const bad = 'BO_ 1 X: 8 ECU\n SG_ Broken : 7|16@2+ (1,0) [0|1] "" ECU\n';
    expect(() => parseDbc(bad)).toThrow(DbcParseError);
    expect(() => parseDbc(bad)).toThrow(/line 2: malformed signal definition: SG_ Broken/);
  });

  it("rejects multiplexed signals without a multiplexor", () => {
    expect(() => parseDbc('BO_ 5 M: 8 ECU\n SG_ A m1 : 8|8@1+ (1,0) [0|1] "" ECU\n')).toThrow(
      /line 1: message M \(0x5\) has multiplexed signals but 0 multiplexors/,
    );
  });
});
