import { describe, expect, it } from "vitest";
import { parseDbc } from "./dbc.js";
import { inlineSignalSchema, ruleSchema } from "./signal-config.js";
import { SignalConfigError, selectSignals } from "./signal-selection.js";

const dbc = parseDbc(`BO_ 100 Muxed: 8 ECU
 SG_ Page M : 0|8@1+ (1,0) [0|255] "" GW
 SG_ A m1 : 8|16@1+ (1,0) [0|65535] "" GW
BO_ 200 First: 8 ECU
 SG_ Twin : 0|8@1+ (1,0) [0|255] "" GW
 SG_ Speed : 7|16@0+ (0.01,0) [0|655.35] "kph" GW
BO_ 201 Second: 8 ECU
 SG_ Twin : 8|8@1+ (1,0) [0|255] "" GW
`);

const inline = (o: Record<string, unknown>) => inlineSignalSchema.parse(o);

describe("selectSignals", () => {
  it("adds the multiplexor a multiplexed signal needs", () => {
    expect(selectSignals(dbc, ["A"]).signals.map((s) => s.name)).toEqual(["A", "Page"]);
  });

  it("adds the signals rules use, but not external (gps.*) ones", () => {
    const rules = [
      ruleSchema.parse({ name: "fast", signal: "Speed", op: "above", threshold: 1 }),
      ruleSchema.parse({ name: "gps", signal: "gps.speedKmh", op: "above", threshold: 1 }),
    ];
    expect(selectSignals(dbc, [], rules).signals.map((s) => s.name)).toEqual(["Speed"]);
  });

  it("resolves Message.Signal for names defined in several messages, keeping the name as written", () => {
    const [twin] = selectSignals(dbc, ["Second.Twin"]).signals;
    expect(twin).toMatchObject({ name: "Second.Twin", messageId: 201, startBit: 8 });
  });

  it("prefers an inline definition over a DBC signal of the same name, and converts its keys", () => {
    const [speed] = selectSignals(dbc, [
      inline({ name: "Speed", id: "0x0D1", start: 0, length: 16, scale: 0.01, valueTable: { 0: "Stopped" } }),
    ]).signals;
    expect(speed).toMatchObject({ messageId: 0xd1, byteOrder: "intel", startBit: 0, scale: 0.01 });
    expect([...(speed?.valueTable ?? [])]).toEqual([[0, "Stopped"]]);
  });

  it("lists every unknown, ambiguous or undefined name at once", () => {
    const attempt = () => selectSignals(dbc, ["Nope", "Twin", "Third.Twin"]);
    expect(attempt).toThrow(SignalConfigError);
    expect(attempt).toThrow(
      "signal Nope is not in the DBC file; signal Twin is defined in several messages (First.Twin (0xC8), Second.Twin (0xC9)): write Message.Twin; signal Third.Twin is not in the DBC file",
    );
    expect(() => selectSignals(undefined, ["Speed"])).toThrow(
      "signal Speed has no definition: give a dbc file or an inline definition",
    );
  });
});
