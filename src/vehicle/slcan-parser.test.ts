import { describe, expect, it } from "vitest";
import { encodeSlcanFrame } from "./slcan-commands.js";
import { SLCAN_MAX_LINE, SlcanParser } from "./slcan-parser.js";
import { SlcanTimeline } from "./slcan-timeline.js";

const b = (s: string) => Buffer.from(s, "latin1");
const hex = (d: Uint8Array) => Buffer.from(d).toString("hex");

describe("SlcanParser", () => {
  it.each([
    [
      "standard data frame",
      "t4563112233\r",
      { id: 0x456, extended: false, remote: false, dlc: 3, data: "112233" },
    ],
    ["zero-length frame", "t7FF0\r", { id: 0x7ff, extended: false, remote: false, dlc: 0, data: "" }],
    ["lower-case hex", "t1ab2dead\r", { id: 0x1ab, extended: false, remote: false, dlc: 2, data: "dead" }],
    [
      "extended frame",
      "T1FFFFFFF80102030405060708\r",
      { id: 0x1fffffff, extended: true, remote: false, dlc: 8, data: "0102030405060708" },
    ],
    ["remote frame", "r1238\r", { id: 0x123, extended: false, remote: true, dlc: 8, data: "" }],
    [
      "remote frame without length digit (slcanpty)",
      "r123\r",
      { id: 0x123, extended: false, remote: true, dlc: 0, data: "" },
    ],
    [
      "extended remote frame",
      "R12ABCDEF6\r",
      { id: 0x12abcdef, extended: true, remote: true, dlc: 6, data: "" },
    ],
    [
      "frame with device timestamp",
      "t10012AEA5F\r",
      { id: 0x100, extended: false, remote: false, dlc: 1, data: "2a" },
    ],
    [
      "remote frame with device timestamp",
      "r1002ABCD\r",
      { id: 0x100, extended: false, remote: true, dlc: 2, data: "" },
    ],
  ])("decodes a %s", (_name, line, want) => {
    const out = new SlcanParser({ channel: "slcan0" }).push(b(line), 1234.5);
    expect(out.messages).toEqual([]);
    expect(out.frames).toHaveLength(1);
    const f = out.frames[0];
    expect({
      id: f?.id,
      extended: f?.extended,
      remote: f?.remote,
      dlc: f?.dlc,
      data: hex(f?.data ?? new Uint8Array()),
    }).toEqual(want);
    expect(f?.timestamp).toBe(1234.5);
    expect(f?.channel).toBe("slcan0");
  });

  it.each([
    ["bad identifier digit", "t4G63112233\r", "bad identifier"],
    ["standard id above 0x7FF", "t8000\r", "identifier out of range"],
    ["extended id above 29 bits", "T200000000\r", "identifier out of range"],
    ["length digit 9", "t1239\r", "bad length digit"],
    ["missing data", "t12341122\r", "truncated data"],
    ["bad data digit", "t1231ZZ\r", "bad data byte"],
    ["trailing junk (two merged lines)", "t1231AAt4561BB\r", "unexpected characters after data"],
    ["timestamp beyond 59999", "t1231AAEA60\r", "unexpected characters after data"],
    ["truncated id", "T1234\r", "truncated frame"],
    ["data frame without length", "t123\r", "truncated frame"],
    ["unknown command letter", "Hello\r", "unknown line"],
    ["binary noise", "\x00\xff\xfe\r", "unknown line"],
    ["bus error with unknown code", "e1q\r", "unknown line"],
  ])("reports %s as garbage without throwing", (_name, line, reason) => {
    const parser = new SlcanParser();
    const out = parser.push(b(line), 1);
    expect(out.frames).toEqual([]);
    expect(out.messages).toHaveLength(1);
    expect(out.messages[0]).toMatchObject({ kind: "garbage", reason });
    expect(parser.stats.garbage).toBe(1);
    // The parser is still in sync: the next line decodes.
    expect(parser.push(b("t1230\r"), 1).frames).toHaveLength(1);
  });

  it("treats a bare CR as ACK and BEL as NACK, with or without a CR", () => {
    const parser = new SlcanParser();
    expect(parser.push(b("\r\x07\r"), 1).messages).toEqual([
      { kind: "ack" },
      { kind: "nack" },
      { kind: "ack" },
    ]);
    expect(parser.stats.nacks).toBe(1);
  });

  it("ends a line at BEL (kernel behaviour) and still reports the NACK", () => {
    const out = new SlcanParser().push(b("t1230\x07"), 1);
    expect(out.frames).toHaveLength(1);
    expect(out.messages).toEqual([{ kind: "nack" }]);
  });

  it("ignores LF after CR and empty LF lines", () => {
    const out = new SlcanParser().push(b("t1230\r\nt4560\r\n\n"), 1);
    expect(out.frames.map((f) => f.id)).toEqual([0x123, 0x456]);
    expect(out.messages).toEqual([]);
  });

  it("decodes the same frames whatever the read boundaries", () => {
    const lines = [
      "t4563112233\r",
      "T12ABCDEF2AA55\r",
      "r1238\r",
      "\x07",
      "garbage\r",
      "t10012AEA5F\r",
      "D12ABCDEFA303132333435363738393A3B3C3D3E3F\r",
      "R12ABCDEF6\r",
    ].join("");
    const whole = new SlcanParser().push(b(lines), 1);
    for (let cut = 1; cut < lines.length; cut++) {
      for (const step of [cut, 1]) {
        const parser = new SlcanParser();
        const frames = [];
        const messages = [];
        const first = parser.push(b(lines.slice(0, cut)), 1);
        frames.push(...first.frames);
        messages.push(...first.messages);
        for (let i = cut; i < lines.length; i += step) {
          const out = parser.push(b(lines.slice(i, i + step)), 1);
          frames.push(...out.frames);
          messages.push(...out.messages);
        }
        expect(frames).toEqual(whole.frames);
        expect(messages).toEqual(whole.messages);
      }
    }
    expect(whole.frames).toHaveLength(5);
    expect(whole.messages.map((m) => m.kind)).toEqual(["nack", "garbage", "fd-frame"]);
  });

  it("drops an overlong line (in one read or across reads) and resynchronises at the next CR", () => {
    const long = `t123${"A".repeat(SLCAN_MAX_LINE + 10)}`;
    const one = new SlcanParser();
    const out = one.push(b(`${long}\rt1230\r`), 1);
    expect(out.frames.map((f) => f.id)).toEqual([0x123]);
    expect(out.messages).toMatchObject([{ kind: "garbage", reason: "overlong line" }]);
    expect(one.stats.overlong).toBe(1);

    const split = new SlcanParser();
    const messages = [];
    for (let i = 0; i < long.length; i += 7)
      messages.push(...split.push(b(long.slice(i, i + 7)), 1).messages);
    const tail = split.push(b("A\rt4560\r"), 1);
    expect(tail.frames.map((f) => f.id)).toEqual([0x456]);
    expect([...messages, ...tail.messages]).toMatchObject([{ kind: "garbage", reason: "overlong line" }]);
    expect(split.stats.overlong).toBe(1);
  });

  it("accepts the longest valid line", () => {
    const line = encodeSlcanFrame({
      id: 0x1abcdef,
      extended: true,
      remote: false,
      dlc: 64,
      data: new Uint8Array(64).fill(0xa5),
      fd: true,
      deviceTimeMs: 59_999,
    });
    expect(line.length - 1).toBe(SLCAN_MAX_LINE);
    const out = new SlcanParser().push(b(line), 1);
    expect(out.messages).toMatchObject([{ kind: "fd-frame", frame: { dlc: 64, brs: false } }]);
  });

  it("maps device timestamps through the timeline, keeping the adapter's spacing across the minute wrap", () => {
    const parser = new SlcanParser({ timeline: new SlcanTimeline() });
    const host = 1_700_000_000;
    const rel = (ts: number[]) => ts.map((t) => Math.round((t - host) * 1000));
    // First read: the latest frame cannot be later than its reception, so all clamp to the reception time.
    const first = parser.push(b("t1230EA5A\rt1230EA5F\r"), host);
    expect(rel(first.frames.map((f) => f.timestamp))).toEqual([0, 0]);
    // Later reads keep the device's 5 ms spacing, across the 59999 → 0 wrap.
    const second = parser.push(b("t12300004\rt12300009\r"), host + 0.05);
    expect(rel(second.frames.map((f) => f.timestamp))).toEqual([5, 10]);
  });
});

describe("SlcanTimeline", () => {
  it("follows the device clock between reads and re-anchors when it lags the host", () => {
    const t = new SlcanTimeline(1000);
    expect(t.toEpochSeconds(59_990, 100)).toBe(100);
    expect(t.toEpochSeconds(59_995, 100.02)).toBeCloseTo(100.005, 6);
    expect(t.toEpochSeconds(10, 100.03)).toBeCloseTo(100.02, 6);
    // A smaller host-device difference lowers the latency estimate.
    expect(t.toEpochSeconds(20, 100.025)).toBeCloseTo(100.025, 6);
    expect(t.reanchors).toBe(0);
    // A gap longer than a minute loses the wrap count: the device time lags by ~60 s, so re-anchor.
    expect(t.toEpochSeconds(30, 170.5)).toBe(170.5);
    expect(t.reanchors).toBe(1);
    expect(t.toEpochSeconds(40, 170.6)).toBeCloseTo(170.51, 6);
  });
});
