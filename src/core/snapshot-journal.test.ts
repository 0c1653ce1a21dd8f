import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readLatestSnapshot, SnapshotJournal } from "./snapshot-journal.js";

const dirs: string[] = [];
function tempFile(name = "state.jsonl"): string {
  const dir = mkdtempSync(join(tmpdir(), "camsync-journal-"));
  dirs.push(dir);
  return join(dir, name);
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("snapshot journal", () => {
  it("appends one line per save; the latest line is the state", () => {
    const path = tempFile();
    const j = new SnapshotJournal(path);
    j.save({ seq: 1, state: "active" });
    j.save({ seq: 2, state: "post-roll" });
    j.close();
    expect(readFileSync(path, "utf8").trim().split("\n")).toHaveLength(2);
    expect(readLatestSnapshot(path)).toEqual({ seq: 2, state: "post-roll" });
  });

  it("a torn last line (power cut mid-write) falls back to the snapshot before it", () => {
    const path = tempFile();
    const j = new SnapshotJournal(path);
    j.save({ seq: 7, state: "active" });
    j.close();
    appendFileSync(path, '{"seq":8,"state":"id');
    expect(readLatestSnapshot(path)).toEqual({ seq: 7, state: "active" });
  });

  it("compacts to its latest snapshot after compactAfter saves, and keeps appending", () => {
    const path = tempFile();
    const j = new SnapshotJournal(path, { compactAfter: 3 });
    for (let seq = 1; seq <= 3; seq++) j.save({ seq });
    expect(readFileSync(path, "utf8")).toBe('{"seq":3}\n');
    j.save({ seq: 4 });
    j.close();
    expect(readFileSync(path, "utf8")).toBe('{"seq":3}\n{"seq":4}\n');
  });

  it("reads a pretty-printed single document (the state file of earlier versions)", () => {
    const path = tempFile("activation.json");
    const doc = { version: 1, seq: 5, state: "active", keys: ["can:speed"] };
    writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
    expect(readLatestSnapshot(path)).toEqual(doc);
  });

  it("an empty file is no snapshot; a file with no JSON object in it throws", () => {
    const empty = tempFile();
    writeFileSync(empty, "");
    expect(readLatestSnapshot(empty)).toBeUndefined();
    const junk = tempFile();
    writeFileSync(junk, "{not json");
    expect(() => readLatestSnapshot(junk)).toThrow();
  });

  it("sync() resolves after fdatasync, and the saves survive close()", async () => {
    const path = tempFile();
    const j = new SnapshotJournal(path);
    j.save({ seq: 1 });
    await j.sync();
    j.close();
    expect(readLatestSnapshot(path)).toEqual({ seq: 1 });
  });
});
