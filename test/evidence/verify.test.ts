import { appendFileSync, cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCommand } from "../../src/cli/commands/verify.js";
import { EventBus } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import { AUDIT_FILE, createAuditLog } from "../../src/evidence/audit-log.js";
import { tagEvent } from "../../src/evidence/tag.js";
import { verifyPath } from "../../src/evidence/verify.js";
import { FakeClock } from "../support/fake-clock.js";
import { captureCli } from "./cli-capture.js";
import { type FixtureEvent, makeEvent, tempDataDir } from "./event-fixture.js";

async function runVerify(path: string): Promise<{ code: number; out: string }> {
  return captureCli(() => verifyCommand.run([path]));
}

describe("camsync verify against tampering", () => {
  const roots: string[] = [];
  let base: string;
  let events: FixtureEvent[];

  beforeAll(async () => {
    base = tempDataDir("verify-base");
    roots.push(base);
    const clock = new FakeClock();
    const bus = new EventBus();
    const audit = createAuditLog({ dataDir: base, bus, clock, logger: silentLogger() });
    await audit.start();
    bus.emit("decision", {
      type: "event-start",
      eventId: "x",
      origin: { kind: "lightbar", id: "lightbar" },
      preEventSeconds: 30,
      at: clock.now(),
      reason: "lights on",
      seq: 1,
    });
    events = [0, 1].map((i) =>
      makeEvent(base, {
        startedAt: clock.now() + i * 3_600_000,
        cameras: [
          { name: "front", bytes: 20_000 },
          { name: "rear", bytes: 9_000 },
        ],
      }),
    );
    for (const e of events)
      bus.emit("event-finalized", {
        eventId: e.eventId,
        dir: e.dir,
        manifestSha256: e.manifestSha256,
        at: clock.now(),
      });
    clock.advance(1000);
    tagEvent(audit, (events[0] as FixtureEvent).dir, {
      category: "traffic-stop",
      note: "driver cooperative",
      by: "B1234",
    });
    await audit.stop();
  });

  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  function copy(): { dir: string; e0: string; e1: string } {
    const dir = tempDataDir("verify-case");
    roots.push(dir);
    cpSync(base, dir, { recursive: true });
    return {
      dir,
      e0: join(dir, "events", (events[0] as FixtureEvent).eventId),
      e1: join(dir, "events", (events[1] as FixtureEvent).eventId),
    };
  }

  it("an untouched data dir (with a recorded amendment) verifies with exit 0", async () => {
    const { dir, e0 } = copy();
    const r = await runVerify(dir);
    expect(r.out).toMatch(/^OK: 2 event\(s\), 12 file\(s\)/m); // 2 cameras: an MP4 and 2 segments each
    expect(r.code).toBe(0);
    expect((await runVerify(e0)).code).toBe(0);
  });

  it("one flipped byte in a video is named with exit 1", async () => {
    const { dir, e1 } = copy();
    const path = join(e1, "rear.mp4");
    const data = readFileSync(path);
    data[4321] = (data[4321] as number) ^ 0x01;
    writeFileSync(path, data);
    for (const target of [dir, e1]) {
      const r = await runVerify(target);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`CHANGED  ${path}: SHA-256`);
    }
  });

  it("a changed or removed claimed segment is named with exit 1", async () => {
    const { dir, e0 } = copy();
    const seg = (events[0] as FixtureEvent).manifest.cameras[0]?.segments[1]?.file as string;
    const path = join(e0, seg);
    const data = readFileSync(path);
    data[7] = (data[7] as number) ^ 0x80;
    writeFileSync(path, data);
    const other = join(e0, (events[0] as FixtureEvent).manifest.cameras[1]?.segments[0]?.file as string);
    rmSync(other);
    const r = await runVerify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`CHANGED  ${path}: SHA-256`);
    expect(r.out).toContain(`CHANGED  ${other}: missing (listed in the manifest)`);
  });

  it("a file added to an event is a warning, not a failure", async () => {
    const { dir, e1 } = copy();
    writeFileSync(join(e1, "segments", "front", "extra.ts"), "x");
    const r = await runVerify(dir);
    expect(r.out).toContain(`warning  ${join(e1, "segments/front/extra.ts")}: not listed in the manifest`);
    expect(r.code).toBe(0);
  });

  it("an edited manifest field is named with exit 1", async () => {
    const { dir, e0 } = copy();
    const path = join(e0, "manifest.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"officer": "B1234"', '"officer": "X9999"'));
    const r = await runVerify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`CHANGED  ${path} field officer: changed since audit line \\d+`));
    expect(r.out).not.toContain("field category");
  });

  it("a category changed by hand (not through an amendment) is named", async () => {
    const { e0 } = copy();
    const path = join(e0, "manifest.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"traffic-stop"', '"training"'));
    const r = await runVerify(e0);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${path} field category`);
  });

  it("a deleted audit line is named with exit 1", async () => {
    const { dir } = copy();
    const path = join(dir, AUDIT_FILE);
    const lines = readFileSync(path, "utf8").split("\n");
    lines.splice(1, 1);
    writeFileSync(path, lines.join("\n"));
    const r = await runVerify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`CHANGED  ${AUDIT_FILE} line 2: line 2 (seq 3): prev does not match`);
  });

  it("reordered audit lines are named with exit 1", async () => {
    const { dir } = copy();
    const path = join(dir, AUDIT_FILE);
    const lines = readFileSync(path, "utf8").split("\n");
    [lines[1], lines[2]] = [lines[2] as string, lines[1] as string];
    writeFileSync(path, lines.join("\n"));
    const r = await runVerify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${AUDIT_FILE} line 2`);
    expect(r.out).toContain(`${AUDIT_FILE} line 3`);
  });

  it("a truncated last audit line is named with exit 1", async () => {
    const { dir } = copy();
    const path = join(dir, AUDIT_FILE);
    const size = readFileSync(path).length;
    truncateSync(path, size - 30);
    const r = await runVerify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      new RegExp(`CHANGED  ${AUDIT_FILE} line \\d+: line \\d+: truncated entry \\(\\d+ bytes, no newline\\)`),
    );
  });

  it("a deleted audit line that recorded an amendment is also caught through the manifest", async () => {
    const { dir, e0 } = copy();
    const path = join(dir, AUDIT_FILE);
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    lines.pop(); // the last entry is the tag amendment
    writeFileSync(path, `${lines.join("\n")}\n`);
    const r = await runVerify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${join(e0, "manifest.json")} field category`);
    expect(r.out).toContain(`${join(e0, "manifest.json")} field notes`);
  });

  it("a removed event directory is named unless its deletion was recorded", async () => {
    const { dir, e1 } = copy();
    rmSync(e1, { recursive: true });
    const r = await runVerify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`CHANGED  ${e1}: missing`);
  });

  it("after a power cut, the daemon records the tear and verify then passes with a warning", async () => {
    const { dir } = copy();
    const path = join(dir, AUDIT_FILE);
    appendFileSync(path, '{"seq":99,"at":"2026-11-26T14:2');
    expect((await runVerify(dir)).code).toBe(1);
    const bus = new EventBus();
    const alerts: string[] = [];
    bus.on("alert", (a) => alerts.push(a.code));
    const audit = createAuditLog({ dataDir: dir, bus, clock: new FakeClock(), logger: silentLogger() });
    audit.open();
    audit.append("operator-note", { text: "after restart" });
    audit.close();
    expect(alerts).toEqual(["audit-torn-line"]);
    const r = await runVerify(dir);
    expect(r.out).toMatch(/warning {2}audit\.jsonl line \d+: .*torn entry \(31 bytes\)/);
    expect(r.code).toBe(0);
    expect(await verifyPath(dir)).toMatchObject({ ok: true });
  });
});
