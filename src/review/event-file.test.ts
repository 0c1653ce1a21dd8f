import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { looksLikeTraversal, resolveEventFile } from "./event-file.js";

const root = mkdtempSync(join(tmpdir(), "camsync-event-file-"));
const events = join(root, "events");
mkdirSync(join(events, "e1", "segments", "front"), { recursive: true });
writeFileSync(join(events, "e1", "front.mp4"), "video");
writeFileSync(join(events, "e1", "segments", "front", "r-000001.ts"), "ts");
writeFileSync(join(root, "audit.jsonl"), "secret");
symlinkSync(join(root, "audit.jsonl"), join(events, "e1", "link.mp4"));
mkdirSync(join(events, "e2"));
symlinkSync(join(events, "e1", "segments"), join(events, "e2", "segments"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("event file confinement", () => {
  it("resolves plain files of an event", () => {
    expect(resolveEventFile(events, "e1", ["front.mp4"])).toMatchObject({ ok: true });
    expect(resolveEventFile(events, "e1", ["segments", "front", "r-000001.ts"])).toMatchObject({ ok: true });
  });

  it.each([
    ["e1", [".."]],
    ["e1", ["..", "..", "audit.jsonl"]],
    ["..", ["audit.jsonl"]],
    ["e1", [".hidden"]],
    ["e1", ["a/b"]],
    ["e1", ["link.mp4"]], // a symlink out of the data dir
    ["e2", ["segments", "front", "r-000001.ts"]], // a symlinked directory on the way
    ["e1", ["missing.mp4"]],
    ["e1", ["segments"]], // a directory
    ["e1", []],
  ])("refuses %s / %o", (id, parts) => {
    expect(resolveEventFile(events, id, parts).ok).toBe(false);
  });

  it.each([
    ["/api/review/events/e1/files/..%2f..%2faudit.jsonl", true],
    ["/api/review/events/e1/files/%2e%2e/audit.jsonl", true],
    ["/api/review/events/e1/files/%252e%252e%252faudit.jsonl", true], // double-encoded
    ["/api/review/events/e1/files/..%5caudit.jsonl", true],
    ["/api/review/events/e1/files/a%00b", true],
    ["/api/review/events/e1/files/%E0%A4%A", true], // undecodable
    ["/api/review/events/e1/files/front.mp4?x=../..", false], // the query is not a path
    ["/api/review/events/e1/files/front..mp4", false],
  ])("traversal in %s: %s", (url, expected) => {
    expect(looksLikeTraversal(url)).toBe(expected);
  });
});
