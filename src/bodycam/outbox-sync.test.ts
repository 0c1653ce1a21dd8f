import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The real fs, with fdatasync and fdatasyncSync counted (they still run).
const calls = vi.hoisted(() => ({ async: 0, sync: 0 }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  return {
    ...fs,
    fdatasync: (fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      calls.async++;
      fs.fdatasync(fd, cb);
    },
    fdatasyncSync: (fd: number) => {
      calls.sync++;
      fs.fdatasyncSync(fd);
    },
  };
});
const { Outbox } = await import("./outbox.js");

const nextTurn = () => new Promise((r) => setImmediate(r));
let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "camsync-outbox-sync-"));
  calls.async = 0;
  calls.sync = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("Outbox fdatasync (after the publish, not before it)", () => {
  it("queues one fdatasync for the next turn of the event loop, whatever the number of puts in this one", async () => {
    const o = new Outbox(join(dir, "outbox.jsonl"));
    o.put("t/a", "1", true);
    o.put("t/b", "2", false);
    // Nothing handed to the thread pool while the caller is still publishing.
    expect(calls.async).toBe(0);
    await nextTurn();
    expect(calls.async).toBe(1);
    o.close();
    expect(calls.sync).toBe(0);
  });

  it("syncs on close a put whose fdatasync was still queued", () => {
    const o = new Outbox(join(dir, "outbox.jsonl"));
    o.put("t/a", "1", true);
    o.close();
    expect(calls.sync).toBe(1);
    expect(calls.async).toBe(0);
  });
});
