import { describe, expect, it } from "vitest";
import { checkChain, formatEntry, GENESIS_PREV, lineHash, TORN_LINE_TYPE } from "./audit-entry.js";

function chainOf(types: string[]): string[] {
  const lines: string[] = [];
  let prev = GENESIS_PREV;
  types.forEach((type, i) => {
    const line = formatEntry(i + 1, "2026-11-26T14:22:33.000Z", type, { n: i }, prev);
    lines.push(line);
    prev = lineHash(line);
  });
  return lines;
}

const buf = (lines: string[], tail = "\n") => Buffer.from(lines.join("\n") + tail);

describe("audit chain", () => {
  it("accepts an intact chain and reports the last entry", () => {
    const lines = chainOf(["a", "b", "c"]);
    const r = checkChain(buf(lines));
    expect(r.findings).toEqual([]);
    expect(r.entries.map((e) => e.entry.seq)).toEqual([1, 2, 3]);
    expect(r.last).toEqual({ seq: 3, hash: lineHash(lines[2] as string) });
  });

  it("refuses data keys that shadow the envelope", () => {
    expect(() => formatEntry(1, "x", "t", { prev: "0" }, GENESIS_PREV)).toThrow(/prev/);
  });

  it.each([
    [
      "a changed line breaks the next link",
      (l: string[]) => l.map((x, i) => (i === 1 ? x.replace('"n":1', '"n":7') : x)),
      ["broken-link"],
      3,
    ],
    [
      "a removed line breaks the link and the seq",
      (l: string[]) => l.filter((_, i) => i !== 1),
      ["broken-link", "seq"],
      2,
    ],
    [
      "swapped lines break links",
      (l: string[]) => [l[0], l[2], l[1], l[3]] as string[],
      ["broken-link", "seq"],
      2,
    ],
    [
      "a garbage line in the middle",
      (l: string[]) => [l[0], "{not json", l[1], l[2], l[3]] as string[],
      ["unparsable"],
      2,
    ],
  ])("%s", (_name, tamper, kinds, line) => {
    const r = checkChain(buf(tamper(chainOf(["a", "b", "c", "d"]))));
    expect([...new Set(r.findings.map((f) => f.kind))].sort()).toEqual([...kinds].sort());
    expect(r.findings[0]?.line).toBe(line);
  });

  it("names a truncated last line (no newline) as an unacknowledged tear", () => {
    const lines = chainOf(["a", "b"]);
    const data = Buffer.from(`${lines.join("\n")}\n${(chainOf(["a", "b", "c"])[2] as string).slice(0, 20)}`);
    const r = checkChain(data);
    expect(r.findings).toEqual([
      expect.objectContaining({ kind: "torn", line: 3, acknowledged: false, bytes: 20 }),
    ]);
    expect(r.last?.seq).toBe(2);
  });

  it("accepts a tear that the next entry records, as acknowledged", () => {
    const lines = chainOf(["a", "b"]);
    const fragment = '{"seq":3,"at":"2026-1';
    const rec = formatEntry(
      3,
      "2026-11-26T15:00:00.000Z",
      TORN_LINE_TYPE,
      { tornLine: 3, tornBytes: 21, tornSha256: lineHash(fragment) },
      lineHash(lines[1] as string),
    );
    const r = checkChain(buf([...lines, fragment, rec]));
    expect(r.findings).toEqual([expect.objectContaining({ kind: "torn", line: 3, acknowledged: true })]);
    expect(r.last?.seq).toBe(3);
  });

  it("does not accept a tear record whose hash does not match the fragment", () => {
    const lines = chainOf(["a", "b"]);
    const rec = formatEntry(
      3,
      "x",
      TORN_LINE_TYPE,
      { tornLine: 3, tornBytes: 5, tornSha256: lineHash("other") },
      lineHash(lines[1] as string),
    );
    const r = checkChain(buf([...lines, "{bad", rec]));
    expect(r.findings.map((f) => f.kind)).toEqual(["unparsable"]);
  });
});
