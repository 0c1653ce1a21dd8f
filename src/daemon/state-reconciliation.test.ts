import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import type { EngineSnapshot } from "../core/activation.js";
import { silentLogger } from "../core/logger.js";
import { formatEntry, GENESIS_PREV } from "../evidence/audit-entry.js";
import { createAuditLog } from "../evidence/audit-log.js";
import { readDurableRecord, reconcileSnapshot } from "./state-reconciliation.js";

const active = (seq: number): EngineSnapshot => ({
  version: 1,
  state: "active",
  seq,
  event: {
    id: "E1",
    startedAt: 1,
    origin: { kind: "cli", id: "cli" },
    handHeld: true,
    part: 1,
    partStartedAt: 1,
    postRollEndsAt: null,
    clearDeadline: null,
  },
  activeTriggers: {},
});

describe("reconcileSnapshot (pure)", () => {
  it.each([
    ["state file agrees", active(3), { lastSeq: 3, closed: null }, "active", 3, 0],
    [
      "event ended on record: idle, seq from the record",
      active(1),
      { lastSeq: 3, closed: "x" },
      "idle",
      3,
      2,
    ],
    ["seq behind only", active(1), { lastSeq: 5, closed: null }, "active", 5, 1],
    ["no state file, audit has decisions", undefined, { lastSeq: 7, closed: null }, "idle", 7, 1],
  ] as const)("%s", (_name, snap, record, state, seq, corrections) => {
    const r = reconcileSnapshot(snap, record);
    expect(r.snapshot?.state).toBe(state);
    expect(r.snapshot?.seq).toBe(seq);
    expect(r.corrections).toHaveLength(corrections);
    if (state === "idle") expect(r.snapshot?.event).toBeNull();
  });

  it("a first start (nothing on record) stays a fresh start", () => {
    expect(reconcileSnapshot(undefined, { lastSeq: 0, closed: null })).toEqual({
      snapshot: undefined,
      corrections: [],
    });
  });
});

describe("readDurableRecord", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "camsync-durable-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("reads the highest decision seq and the event's end from the audit log", () => {
    const audit = createAuditLog({ dataDir, clock: new FakeClock(), logger: silentLogger() });
    audit.open();
    audit.append("decision", { decision: "event-start", decisionSeq: 1, eventId: "E1" });
    audit.append("decision", { decision: "event-end", decisionSeq: 4, eventId: "E1" });
    audit.append("decision", { decision: "event-start", decisionSeq: 5, eventId: "E2" });
    audit.close();
    expect(readDurableRecord(dataDir, "E1")).toMatchObject({
      lastSeq: 5,
      closed: expect.stringMatching(/event-end is in the audit log/),
    });
    expect(readDurableRecord(dataDir, "E2")).toEqual({ lastSeq: 5, closed: null });
  });

  it("reads a long log from its end across chunk boundaries (multi-byte text included)", () => {
    // Written directly (no fsync per line): only the reading is under test.
    const note = "é".repeat(700); // 1,400 bytes: lines straddle the 1 MiB chunks
    const lines: string[] = [];
    const add = (type: string, data: Record<string, unknown>) =>
      lines.push(formatEntry(lines.length + 1, "2026-11-26T14:00:00.000Z", type, data, GENESIS_PREV));
    const alerts = (n: number) => {
      for (let i = 0; i < n; i++) add("alert", { code: "x", message: note });
    };
    add("decision", { decision: "event-start", decisionSeq: 1, eventId: "E1" });
    alerts(1500);
    add("decision", { decision: "event-end", decisionSeq: 2, eventId: "E1", reason: note });
    alerts(1500);
    add("decision", { decision: "event-start", decisionSeq: 3, eventId: "E2", reason: note });
    alerts(1500);
    writeFileSync(join(dataDir, "audit.jsonl"), `${lines.join("\n")}\n`);
    expect(readDurableRecord(dataDir, "E1")).toEqual({
      lastSeq: 3,
      closed: expect.stringMatching(/event-end is in the audit log/),
    });
    expect(readDurableRecord(dataDir, null)).toEqual({ lastSeq: 3, closed: null });
    expect(readDurableRecord(dataDir, "E2")).toEqual({ lastSeq: 3, closed: null });
  });

  it("reads the end from the event's journal or manifest when the audit log lacks it", () => {
    const dir = join(dataDir, "events", "E1");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "journal.jsonl"),
      `${JSON.stringify({ t: "decision", at: 1, type: "stop-requested", reason: "r", seq: 8 })}\n${JSON.stringify({ t: "decision", at: 2, type: "event-end", reason: "r", seq: 9 })}\n`,
    );
    expect(readDurableRecord(dataDir, "E1")).toEqual({
      lastSeq: 9,
      closed: "its event-end is in its journal",
    });
    mkdirSync(join(dataDir, "events", "E3"));
    writeFileSync(join(dataDir, "events", "E3", "manifest.json"), "{}");
    expect(readDurableRecord(dataDir, "E3").closed).toBe("it has a manifest");
  });
});
