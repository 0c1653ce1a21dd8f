import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../support/cli.js";
import { sleep, testCamera } from "./harness.js";

// Issue 11, defect 9: `camsync event create` while the daemon runs goes through it (its audit log records
// the event, so verify passes at once); ranges outside the ring's footage are refused with the ring's real
// range; the event id dates the footage claimed.

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const eventIdTime = (id: string) => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(id);
  if (!m) throw new Error(`not an event id: ${id}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
};

describe("camsync event create with the daemon running (defect 9)", () => {
  it("goes through the daemon so verify passes; refuses ranges outside the ring with its real range; ids date the claimed footage", async () => {
    const dir = mkdtempSync(join(tmpdir(), "camsync-event-create-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, "data");
    const config = join(dir, "camsync.yaml");
    writeFileSync(
      config,
      JSON.stringify({
        vehicle: { id: "unit12" },
        dataDir,
        control: { statusPage: { enabled: false } },
        recorder: { cameras: [testCamera("front")], ring: { keepHours: 1 } },
      }),
    );
    const d = new CliProcess(["run", "--config", config]);
    cleanups.push(() => d.stop("SIGKILL"));
    await d.waitFor((l) => l.msg === "camsync ready", 30_000, "ready");
    await sleep(6000);

    for (const from of ["1970-01-01T00:00:00Z", "now-99999999h"]) {
      const refused = runCli(["event", "create", "--config", config, "--from", from, "--to", "now"]);
      expect(refused.code, refused.stdout).toBe(1);
      expect(refused.stderr).toMatch(
        /camsync event create: .* is outside the ring's footage: it holds \d{4}-\d\d-\d\dT[\d:.]+Z to \d{4}-\d\d-\d\dT[\d:.]+Z/,
      );
    }
    const refused = runCli([
      "event",
      "create",
      "--config",
      config,
      "--from",
      "1970-01-01T00:00:00Z",
      "--to",
      "now",
    ]);
    const [, ringFrom] = /it holds (\S+) to (\S+)/.exec(refused.stderr) ?? [];
    const ringStart = Date.parse(ringFrom ?? "");
    expect(Date.now() - ringStart).toBeLessThan(60_000);

    // From a second before the ring's first footage (within tolerance): the id dates the footage, not --from.
    const from = new Date(ringStart - 1000).toISOString();
    const created = runCli([
      "event",
      "create",
      "--config",
      config,
      "--from",
      from,
      "--to",
      "now-2s",
      "-r",
      "complaint",
    ]);
    expect(created.stderr).toMatch(/event created \(via the running daemon; recorded in the audit log\)/);
    expect(created.code).toBe(0);
    const summary = JSON.parse(created.stdout) as { eventId: string; dir: string };
    expect(eventIdTime(summary.eventId)).toBe(Math.floor(ringStart / 1000) * 1000);
    await d.waitFor(
      (l) => l.msg === `event ${summary.eventId} created from ring footage`,
      5000,
      "daemon log",
    );

    // Recorded in the running daemon's audit log: verify passes while it runs.
    const verify = runCli(["verify", dataDir]);
    expect(verify.stdout).toMatch(/^OK: 1 event\(s\)/m);
    expect(verify.code).toBe(0);
    expect(await d.stop("SIGTERM")).toBe(0);
  }, 90_000);
});
