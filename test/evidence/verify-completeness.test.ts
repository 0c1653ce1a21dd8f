import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import { createAuditLog } from "../../src/evidence/audit-log.js";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { FakeClock } from "../support/fake-clock.js";
import { makeEvent, tempDataDir } from "./event-fixture.js";

// Issue 11: verify flags an event whose manifest spans footage after its own event-end (defect 4), and
// fails on an ended event that has no manifest (defect 5).

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A finalized fixture event (segments at start−30 s and −29 s, endedAt start+60 s) with its event-end in the audit log at `endAt`. */
function finalizedEvent(endAt: (startedAt: number) => number) {
  const dataDir = tempDataDir("verify-completeness");
  roots.push(dataDir);
  const startedAt = Date.UTC(2026, 10, 26, 9);
  const audit = createAuditLog({ dataDir, clock: new FakeClock(), logger: silentLogger() });
  audit.open();
  const e = makeEvent(dataDir, { startedAt });
  audit.append("decision", {
    decision: "event-end",
    decisionSeq: 3,
    decidedAt: new Date(endAt(startedAt)).toISOString(),
    eventId: e.eventId,
  });
  audit.recordFinalized(e.eventId, e.dir, e.manifestSha256);
  audit.close();
  return dataDir;
}

function eventWithoutManifest(journal: object[]) {
  const dataDir = tempDataDir("verify-nomanifest");
  roots.push(dataDir);
  createAuditLog({ dataDir, clock: new FakeClock(), logger: silentLogger() }).open();
  const dir = join(dataDir, "events", "20261126T090000Z-unit12-abcd");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "journal.jsonl"), journal.map((e) => `${JSON.stringify(e)}\n`).join(""));
  return { dataDir, dir };
}

describe("verify: an event holds its own footage, sealed", () => {
  it("passes an event whose footage lies within its end", async () => {
    const report = await verifyDataDir(finalizedEvent((s) => s + 60_000));
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("fails an event whose manifest spans footage after its own event-end (an ended event reopened)", async () => {
    const report = await verifyDataDir(finalizedEvent((s) => s - 29_500));
    expect(report.ok).toBe(false);
    const messages = report.findings.filter((f) => f.severity === "error").map((f) => f.message);
    expect(messages).toContainEqual(
      expect.stringMatching(/^1 segment\(s\) start after the event's end .*audit\.jsonl line 1/),
    );
    expect(messages).toContainEqual(expect.stringMatching(/is after the event's end/));
  });

  it("fails an ended event without a manifest; warns while it may still be recording or is being assembled", async () => {
    const open = { t: "open", eventId: "20261126T090000Z-unit12-abcd" };
    const longAgo = eventWithoutManifest([
      open,
      { t: "decision", at: Date.now() - 600_000, type: "event-end", reason: "r" },
    ]);
    const failed = await verifyDataDir(longAgo.dataDir);
    expect(failed.ok).toBe(false);
    expect(failed.findings).toContainEqual({
      severity: "error",
      subject: longAgo.dir,
      message: expect.stringMatching(/^no manifest\.json: the event ended at .* but was never assembled/),
    });

    const justEnded = eventWithoutManifest([
      open,
      { t: "decision", at: Date.now() - 5_000, type: "event-end", reason: "r" },
    ]);
    const assembling = await verifyDataDir(justEnded.dataDir);
    expect(assembling.ok).toBe(true);
    expect(assembling.findings[0]?.message).toMatch(/is being assembled/);

    const recording = await verifyDataDir(eventWithoutManifest([open]).dataDir);
    expect(recording.ok).toBe(true);
    expect(recording.findings[0]?.message).toMatch(/still being recorded/);
  });
});
