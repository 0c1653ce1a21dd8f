import { describe, expect, it } from "vitest";
import { LineSplitter } from "./line-splitter.js";

describe("LineSplitter", () => {
  it("joins lines across chunks, strips CR, skips empty lines", () => {
    const s = new LineSplitter(100);
    expect(s.push("$GPRMC,1")).toEqual([]);
    expect(s.push("23*00\r\n\r\n$GPGGA")).toEqual(["$GPRMC,123*00"]);
    expect(s.push(",1*00\r\nab")).toEqual(["$GPGGA,1*00"]);
    expect(s.end()).toEqual(["ab"]);
    expect(s.end()).toEqual([]);
  });

  it("drops an overlong run up to the next newline and counts it once", () => {
    const s = new LineSplitter(10);
    expect(s.push("x".repeat(8))).toEqual([]);
    expect(s.push("x".repeat(8))).toEqual([]);
    expect(s.push("y".repeat(50))).toEqual([]);
    expect(s.dropped).toBe(1);
    expect(s.push("zz\nok\n")).toEqual(["ok"]);
    expect(s.dropped).toBe(1);
  });
});
