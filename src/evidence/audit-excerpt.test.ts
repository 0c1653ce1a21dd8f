import { describe, expect, it } from "vitest";
import { sha256Hex } from "../storage/sha256.js";
import { formatEntry, GENESIS_PREV, lineHash } from "./audit-entry.js";
import { auditExcerpt, checkAuditExcerpt } from "./audit-excerpt.js";

/** A small chain: two events interleaved, the first one amended. */
function chain(): { log: Buffer; m1: string; m2: string } {
  const lines: string[] = [];
  let prev = GENESIS_PREV;
  const add = (type: string, data: Record<string, unknown>) => {
    const line = formatEntry(lines.length + 1, "2026-11-26T14:22:33.000Z", type, data, prev);
    prev = lineHash(line);
    lines.push(line);
  };
  const m1a = sha256Hex("m1a");
  const m1 = sha256Hex("m1b");
  const m2 = sha256Hex("m2");
  add("config-loaded", { sha256: "x" });
  add("decision", { decision: "event-start", eventId: "E1" });
  add("event-finalized", { eventId: "E1", manifestSha256: m1a });
  add("decision", { decision: "event-start", eventId: "E2" });
  add("manifest-amended", { eventId: "E1", previousManifestSha256: m1a, manifestSha256: m1 });
  add("event-finalized", { eventId: "E2", manifestSha256: m2 });
  add("daemon-stopped", {});
  return { log: Buffer.from(`${lines.join("\n")}\n`), m1, m2 };
}

describe("audit excerpts (the lines proving one event's manifest)", () => {
  it("cuts from the event's first entry to its manifest's latest record, and the excerpt verifies", () => {
    const { log, m1, m2 } = chain();
    const e1 = auditExcerpt(log, "E1");
    expect(
      e1
        ?.toString()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).seq),
    ).toEqual([2, 3, 4, 5]);
    expect(checkAuditExcerpt(e1 ?? Buffer.alloc(0), "E1", m1)).toEqual({
      ok: true,
      entries: 4,
      firstSeq: 2,
      lastSeq: 5,
    });
    expect(checkAuditExcerpt(auditExcerpt(log, "E2") ?? Buffer.alloc(0), "E2", m2)).toMatchObject({
      ok: true,
    });
    expect(auditExcerpt(log, "E3")).toBeNull();
  });

  it.each([
    ["another manifest", (t: string) => t, sha256Hex("other"), /not the one the audit chain last recorded/],
    ["an edited line", (t: string) => t.replace('"event-start"', '"event-stop"'), null, /chain broken/],
    [
      "a removed line",
      (t: string) =>
        t
          .split("\n")
          .filter((_l, i) => i !== 1)
          .join("\n"),
      null,
      /prev does not match|seq/,
    ],
    ["a torn line", (t: string) => t.slice(0, -10), null, /not an audit entry/],
    ["nothing", () => "", null, /empty/],
  ] as const)("refuses %s", (_what, edit, manifest, problem) => {
    const { log, m1 } = chain();
    const text = edit((auditExcerpt(log, "E1") ?? Buffer.alloc(0)).toString());
    const r = checkAuditExcerpt(Buffer.from(text), "E1", manifest ?? m1);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});
