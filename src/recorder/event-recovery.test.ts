import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempPathFor } from "../storage/atomic-file.js";
import { EventJournal } from "./event-journal.js";
import { findUnfinishedEvents } from "./event-recovery.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "camsync-recovery-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function unfinishedEvent(id: string): string {
  const dir = join(root, id);
  mkdirSync(join(dir, "segments", "front"), { recursive: true });
  const j = new EventJournal(dir);
  j.append({
    t: "open",
    at: 1,
    eventId: id,
    origin: { kind: "cli", id: "t" },
    triggerAt: 1,
    preEventSeconds: 30,
    preEventAudio: false,
    segmentSeconds: 1,
    vehicle: { id: "car" },
    officer: null,
    cameras: ["front"],
    source: "activation",
  });
  j.append({
    t: "segment",
    camera: "front",
    file: "r-1.ts",
    startedAt: 0,
    durationMs: 1000,
    part: 1,
    preEvent: true,
  });
  j.close();
  return dir;
}

describe("recovery of unfinished events", () => {
  it("removes a muting temp file (and an old assembly work dir) a killed daemon left; keeps the segment", () => {
    const dir = unfinishedEvent("E1");
    const segment = join(dir, "segments", "front", "r-1.ts");
    writeFileSync(segment, "segment");
    const temp = tempPathFor(segment, "muting");
    writeFileSync(temp, "half-muted");
    const legacy = join(dir, ".assembling-front-1");
    mkdirSync(legacy);
    writeFileSync(join(legacy, "run-00000.ts"), "joined");
    const found = findUnfinishedEvents(root);
    expect(found.removedTemps.sort()).toEqual([legacy, temp].sort());
    expect(existsSync(legacy)).toBe(false);
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(segment)).toBe(true);
    expect(found.open.map((u) => u.open.eventId)).toEqual(["E1"]);
  });
});
