import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fixturePresent } from "../../test/support/fixtures.js";
import { CandumpLineSplitter, parseCandumpLine } from "./candump-line.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const logs = path.resolve(repoRoot, "../shared/fixtures/can/logs");

describe("parseCandumpLine", () => {
  it.each([
    ["(1487342025.622147) can0 415#0000C35000000000", 0x415, false, false, 8, "0000c35000000000"],
    ["(1.000001) vcan1 12ABCDEF#AA55", 0x12abcdef, true, false, 2, "aa55"],
    ["(1.5) can0 00000123#", 0x123, true, false, 0, ""],
    ["(1.5) can0 7ff#", 0x7ff, false, false, 0, ""],
    ["(1.5) can0 123#R", 0x123, false, true, 0, ""],
    ["(1.5) can0 123#R4", 0x123, false, true, 4, ""],
    ["(1.5) can0 1FFFFFFF#R8", 0x1fffffff, true, true, 8, ""],
    ["(1.5) can0 123#1122334455667788_C", 0x123, false, false, 8, "1122334455667788"],
    ["(1.5) can0 7bc#deadbeef  ", 0x7bc, false, false, 4, "deadbeef"],
  ])("%s", (line, id, extended, remote, dlc, data) => {
    const r = parseCandumpLine(line);
    expect(r.kind).toBe("frame");
    if (r.kind !== "frame") return;
    expect({ ...r.frame, data: Buffer.from(r.frame.data).toString("hex") }).toEqual({
      id,
      extended,
      remote,
      dlc,
      data,
      timestamp: Number(line.slice(1, line.indexOf(")"))),
      channel: line.split(" ")[1],
    });
  });

  it("keeps microsecond timestamps", () => {
    const r = parseCandumpLine("(1487342025.622147) can0 415#00");
    expect(r.kind === "frame" && Math.round((r.frame.timestamp % 1) * 1e6)).toBe(622147);
  });

  it.each([
    ["(1.5) can0 123##1AABB", "fd"],
    ["(1.5) can0 123##0", "fd"],
    ["(1.5) can0 20000080#0000000000000000", "error-frame"],
    ["", "empty"],
    ["   ", "empty"],
  ])("%j is %s", (line, kind) => {
    expect(parseCandumpLine(line).kind).toBe(kind);
  });

  it.each([
    ["can0 123#11", "no (timestamp)"],
    ["(x) can0 123#11", "bad timestamp"],
    ["(1.5) can0", "no frame"],
    ["(1.5) can0 12311", "no '#'"],
    ["(1.5) can0 1234#11", "bad identifier"],
    ["(1.5) can0 12G#11", "bad identifier"],
    ["(1.5) can0 800#11", "identifier out of range"],
    ["(1.5) can0 123#112", "bad data"],
    ["(1.5) can0 123#112233445566778899", "bad data"],
    ["(1.5) can0 123#R9", "bad remote length"],
    ["(1.5) can0 123#zz", "bad data"],
  ])("rejects %j (%s)", (line, reason) => {
    expect(parseCandumpLine(line)).toEqual({ kind: "invalid", reason });
  });
});

describe("CandumpLineSplitter", () => {
  it("joins lines split across chunks and counts what it skips", () => {
    const s = new CandumpLineSplitter();
    const text =
      "(1.0) can0 123#11\n(1.1) can0 456##0\n(1.2) can0 garbage\n(1.3) can0 20000004#00\n(1.4) can0 7FF#R";
    const frames = [];
    for (let i = 0; i < text.length; i += 5) frames.push(...s.push(text.slice(i, i + 5)));
    frames.push(...s.end());
    expect(frames.map((f) => f.id)).toEqual([0x123, 0x7ff]);
    expect(s.counts).toEqual({
      frames: 2,
      fdSkipped: 1,
      errorFramesSkipped: 1,
      invalid: 1,
      lastInvalid: { reason: "no '#'", line: "(1.2) can0 garbage" },
    });
  });

  it("drops an endless run without newline", () => {
    const s = new CandumpLineSplitter();
    for (let i = 0; i < 10; i++) s.push("x".repeat(1000));
    expect(s.counts.invalid).toBe(1);
    expect(s.push("\n(1.0) can0 123#11\n").map((f) => f.id)).toEqual([0x123]);
  });
});

describe.skipIf(!fixturePresent(logs))(`real Ford Fusion candump logs (${logs})`, () => {
  it.each([
    ["ford_fusion_2017_speed_30_to_80kmh.candump", 41_250],
    ["ford_fusion_2017_turning_on.candump", 40_705],
  ])("%s holds %d valid frames", (file, count) => {
    const s = new CandumpLineSplitter();
    const frames = [...s.push(readFileSync(path.join(logs, file), "latin1")), ...s.end()];
    expect(frames).toHaveLength(count);
    expect(s.counts).toMatchObject({ invalid: 0, fdSkipped: 0, errorFramesSkipped: 0 });
    expect(frames.every((f) => !f.extended && f.dlc <= 8 && f.channel === "can0")).toBe(true);
  });

  it("decodes the first line of the speed log exactly", () => {
    const text = readFileSync(path.join(logs, "ford_fusion_2017_speed_30_to_80kmh.candump"), "latin1");
    const first = parseCandumpLine(text.slice(0, text.indexOf("\n")));
    expect(first.kind === "frame" && first.frame).toMatchObject({
      id: 0x187,
      timestamp: 1487342025.61595,
      dlc: 8,
    });
    expect(first.kind === "frame" && Buffer.from(first.frame.data).toString("hex")).toBe("e21408c800100300");
  });
});
