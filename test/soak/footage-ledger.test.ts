import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FootageLedger } from "../../soak/evidence-scan.mjs";
import { noFootageDeleted } from "../../soak/invariants.mjs";
import { silentLogger } from "../../src/core/logger.js";
import { runTool } from "../../src/recorder/ffmpeg-process.js";
import { OpenEvent } from "../../src/recorder/open-event.js";
import { isTempFileName } from "../../src/storage/atomic-file.js";
import { openEntry } from "../recorder/harness.js";

// Issue 17: the soak's scanner saw the pre-event muting step's temp file between its creation and its
// rename, and then reported it "deleted". Here the muting ffmpeg (the real one, through a wrapper that holds
// the moment after it has written the temp file and before the rename) is paused while the ledger scans.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function footageJournal(ledger: FootageLedger) {
  return { footage: { seen: ledger.seen, atEnd: ledger.atEnd() } } as Parameters<typeof noFootageDeleted>[0];
}

describe("the soak's footage ledger and the muting temp file", () => {
  it("a scan mid-rename never counts the temp file; the listed segment is counted and its loss still fails", async () => {
    const root = mkdtempSync(join(tmpdir(), "camsync-ledger-"));
    dirs.push(root);
    const ringDir = join(root, "ring", "front");
    mkdirSync(ringDir, { recursive: true });
    const ringFile = join(ringDir, "run1-000001.ts");
    await runTool("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10"],
      ...["-f", "lavfi", "-i", "sine=frequency=1000", "-t", "1", "-c:v", "libx264", "-c:a", "aac"],
      ...["-f", "mpegts", ringFile],
    ]);
    // ffmpeg that writes its output, then waits for `go` before it exits (so before the rename).
    const go = join(root, "go");
    const wrapper = join(root, "ffmpeg-held");
    writeFileSync(
      wrapper,
      `#!/bin/sh\nffmpeg "$@" || exit $?\nwhile [ ! -e '${go}' ]; do sleep 0.02; done\n`,
    );
    chmodSync(wrapper, 0o755);

    const now = Date.now();
    const dir = join(root, "events", "E1");
    const ev = OpenEvent.create({
      dir,
      open: openEntry("E1", now, { preEventSeconds: 10, preEventAudio: false }),
      ffmpegPath: wrapper,
      audioCameras: new Set(["front"]),
      log: silentLogger(),
    });
    const seg = {
      camera: "front",
      run: "run1",
      file: "run1-000001.ts",
      startedAt: now - 5000,
      durationMs: 1000,
      bytes: 0,
    };
    expect(ev.claim(seg, ringFile)).toBe(true);

    const segDir = join(dir, "segments", "front");
    const temp = await until("the muting temp file", () => readdirSync(segDir).find((f) => f !== seg.file));
    const ledger = new FootageLedger(root);
    ledger.scan(); // the scanner sees the temp file mid-rename
    expect(existsSync(join(segDir, temp)), "the temp file is there during the scan").toBe(true);
    expect(isTempFileName(temp), `${temp} is named as a temp file`).toBe(true);

    writeFileSync(go, "");
    await ev.settled();
    ev.journal.close();
    expect(existsSync(join(segDir, temp)), "renamed away").toBe(false);
    ledger.scan();
    const result = noFootageDeleted(footageJournal(ledger));
    expect(result.failures).toEqual([]);
    expect(Object.keys(ledger.seen)).toEqual([join(segDir, seg.file)]);
    expect(result.checked).toBe(1);

    // A listed file that disappears is still a failure.
    unlinkSync(join(segDir, seg.file));
    expect(noFootageDeleted(footageJournal(ledger)).failures[0]).toMatch(/run1-000001\.ts .* is gone/);
  }, 60_000);
});
