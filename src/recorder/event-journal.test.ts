import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventJournal, JOURNAL_FILE, readJournal } from "./event-journal.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "camsync-journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("EventJournal", () => {
  it("writes evidence entries at once and batches signals until close", () => {
    const j = new EventJournal(dir, 60_000);
    j.append({ t: "decision", at: 1, type: "event-start", reason: "lights", seq: 1 });
    j.append({ t: "signal", at: 2, name: "speed", value: 50 });
    expect(readJournal(dir).entries.map((e) => e.t)).toEqual(["decision"]);
    j.append({ t: "fault", camera: "front", at: 3, cause: "ffmpeg exited (code 1)" });
    expect(readJournal(dir).entries.map((e) => e.t)).toEqual(["decision", "signal", "fault"]);
    j.append({ t: "gps", at: 4, lat: 1, lon: 2, speedKmh: null });
    j.close();
    expect(readJournal(dir).entries.map((e) => e.t)).toEqual(["decision", "signal", "fault", "gps"]);
  });

  it("a torn last line (power cut) and foreign lines are skipped, not fatal", () => {
    const j = new EventJournal(dir);
    j.append({ t: "daemon-start", at: 5 });
    j.close();
    appendFileSync(join(dir, JOURNAL_FILE), '{"t":"unknown-kind","at":1}\n{"t":"segment","camera":"fr');
    const { entries, skipped } = readJournal(dir);
    expect(entries).toEqual([{ t: "daemon-start", at: 5 }]);
    expect(skipped).toBe(2);
    expect(readFileSync(join(dir, JOURNAL_FILE), "utf8").split("\n")).toHaveLength(3);
  });

  it("a missing journal reads as empty", () => {
    expect(readJournal(join(dir, "nope"))).toEqual({ entries: [], skipped: 0 });
  });
});
