import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../support/cli.js";

// Issue 11 defect 4: the engine's state file could not be written (here: made immutable with chattr +i,
// which stops even root from replacing it), an event ended and was finalized, the daemon was killed. The
// restarted daemon must not resume the finalized event from the stale state file, and decisionSeq must
// continue after the audit log's last one.

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const chattr = (flag: "+i" | "-i", path: string) => spawnSync("chattr", [flag, path], { encoding: "utf8" });
const canMakeImmutable = (() => {
  const dir = mkdtempSync(join(tmpdir(), "camsync-chattr-"));
  const f = join(dir, "probe");
  writeFileSync(f, "x");
  const ok = chattr("+i", f).status === 0;
  if (ok) chattr("-i", f);
  rmSync(dir, { recursive: true, force: true });
  return ok;
})();
if (!canMakeImmutable)
  console.warn("stale-state test skipped: chattr +i is not possible here (needs root on ext4/xfs)");

const decision = (type: string, eventId?: string) => (l: Record<string, unknown>) => {
  const d = l.decision as { type?: string; eventId?: string } | undefined;
  return d?.type === type && (eventId === undefined || d.eventId === eventId);
};

function auditDecisionSeqs(dataDir: string): number[] {
  return readFileSync(join(dataDir, "audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; decisionSeq?: number })
    .filter((e) => e.type === "decision")
    .map((e) => e.decisionSeq ?? -1);
}

describe.skipIf(!canMakeImmutable)("a stale activation state file (defect 4)", () => {
  it("a finalized event is not resumed at restart; the state says idle; decisionSeq never goes backwards", async () => {
    const dir = mkdtempSync(join(tmpdir(), "camsync-stale-state-"));
    const dataDir = join(dir, "data");
    const statePath = join(dataDir, "state", "activation.jsonl");
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => chattr("-i", statePath));
    const config = join(dir, "camsync.yaml");
    writeFileSync(
      config,
      `vehicle:\n  id: unit12\ndataDir: ${dataDir}\nactivation:\n  preEventSeconds: 5\n  postRollSeconds: 1\n` +
        "control:\n  statusPage:\n    enabled: false\n",
    );
    const a = new CliProcess(["run", "--config", config]);
    cleanups.push(() => a.stop("SIGKILL"));
    await a.waitFor((l) => l.msg === "camsync ready", 20_000, "ready");
    expect(runCli(["trigger", "start", "--data-dir", dataDir]).code).toBe(0);
    const started = await a.waitFor(decision("event-start"));
    const eventId = (started.decision as { eventId: string }).eventId;

    // From here on the state file cannot be replaced: it keeps saying "active".
    expect(chattr("+i", statePath).status).toBe(0);
    expect(runCli(["trigger", "stop", "--data-dir", dataDir]).code).toBe(0);
    await a.waitFor(decision("event-end", eventId), 10_000, "event-end");
    await a.waitFor((l) => l.msg === `event ${eventId} assembled`, 20_000, "assembled");
    expect(a.lines.some((l) => l.msg === "cannot persist activation state")).toBe(true);
    expect(JSON.parse(readFileSync(statePath, "utf8"))).toMatchObject({
      state: "active",
      event: { id: eventId },
    });
    await a.stop("SIGKILL");
    const seqsBefore = auditDecisionSeqs(dataDir);

    const b = new CliProcess(["run", "--config", config]);
    cleanups.push(() => b.stop("SIGKILL"));
    await b.waitFor((l) => l.msg === "camsync ready", 20_000, "ready after restart");
    expect(b.lines.filter(decision("event-resume")), "the finalized event was resumed").toEqual([]);
    expect(b.lines.some((l) => String(l.msg).startsWith("activation state reconciled"))).toBe(true);
    const status = JSON.parse(runCli(["status", "--json", "--data-dir", dataDir]).stdout) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ state: "idle", eventId: null });

    // The next decision continues the sequence; a new event records normally.
    chattr("-i", statePath);
    expect(runCli(["trigger", "start", "--data-dir", dataDir]).code).toBe(0);
    const next = await b.waitFor(decision("event-start"));
    expect((next.decision as { seq: number }).seq).toBeGreaterThan(Math.max(...seqsBefore));
    const during = JSON.parse(runCli(["status", "--json", "--data-dir", dataDir]).stdout) as Record<
      string,
      unknown
    >;
    expect(during).toMatchObject({ state: "active", eventRecorded: true });
    expect(await b.stop("SIGTERM")).toBe(0);
    const seqs = auditDecisionSeqs(dataDir);
    expect(
      seqs.every((s, i) => i === 0 || s > (seqs[i - 1] as number)),
      `audit decisionSeq: ${seqs.join(",")}`,
    ).toBe(true);
  }, 90_000);
});
