import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Outbox } from "./outbox.js";

const dirs: string[] = [];
function path(): string {
  const d = mkdtempSync(join(tmpdir(), "camsync-outbox-"));
  dirs.push(d);
  return join(d, "mqtt", "outbox.jsonl");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("Outbox (durable, ordered, compacted)", () => {
  it("keeps un-acked entries across a reopen, in order, and continues ids", () => {
    const p = path();
    const a = new Outbox(p);
    a.put("t/a", "1", true);
    const two = a.put("t/b", "2", false);
    a.put("t/a", "3", true);
    a.ack(two.id);
    // no close(): the process "dies" here
    const b = new Outbox(p);
    expect(b.pending().map((e) => e.payload)).toEqual(["1", "3"]);
    expect(b.put("t/c", "4", false).id).toBe(4);
    b.close();
    a.close();
  });

  it("acks unknown or repeated ids harmlessly", () => {
    const o = new Outbox(path());
    const e = o.put("t", "x", false);
    o.ack(e.id);
    o.ack(e.id);
    o.ack(999);
    expect(o.size).toBe(0);
    o.close();
  });

  it("compacts the file once enough acks accumulated, keeping pending entries", () => {
    const p = path();
    const o = new Outbox(p, { compactAfterAcks: 10 });
    const keep = o.put("t", "keep", true);
    for (let i = 0; i < 10; i++) o.ack(o.put("t", `x${i}`, false).id);
    const lines = readFileSync(p, "utf8").trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(3);
    o.close();
    const again = new Outbox(p);
    expect(again.pending()).toEqual([keep]);
    expect(again.put("t", "next", false).id).toBe(12);
    again.close();
  });

  it("skips a torn last line (power cut mid-write) and keeps the rest", () => {
    const p = path();
    const o = new Outbox(p);
    o.put("t", "ok", true);
    o.close();
    appendFileSync(p, '{"put":{"id":2,"topic":"t","payl');
    const again = new Outbox(p);
    expect(again.skippedLines).toBe(1);
    expect(again.pending().map((e) => e.payload)).toEqual(["ok"]);
    again.close();
  });

  it("an unusable outbox file does not throw at open; writes then fail visibly", () => {
    const p = path();
    const blocker = join(p, "..", "..", "file");
    appendFileSync(blocker, "x");
    const o = new Outbox(join(blocker, "outbox.jsonl")); // parent is a file: cannot be created
    expect(o.openError).toBeInstanceOf(Error);
    expect(() => o.put("t", "x", true)).toThrow();
    expect(o.size).toBe(0);
  });
});
