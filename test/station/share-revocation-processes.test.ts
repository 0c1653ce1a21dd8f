import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { systemClock } from "../../src/core/clock.js";
import { AuthService } from "../../src/station/auth-service.js";
import { StationAuditLog } from "../../src/station/custody/station-audit.js";
import type { Db } from "../../src/station/db.js";
import { openDb } from "../../src/station/open-db.js";
import { cliPath } from "../support/cli.js";
import { postgresEngine } from "../support/station-db.js";
import { CREDENTIALS } from "./car-upload.js";
import { CustodyBucket, storeEvent } from "./custody-support.js";

/**
 * Two real `camsync station` processes on one PostgreSQL: a share link revoked through one is
 * refused by the other on the very next request (the token is checked against the database on
 * every use), well within the 1 s target.
 */
const engine = postgresEngine();
const bucket = new CustodyBucket();
const dir = mkdtempSync(join(tmpdir(), "camsync-share-procs-"));
const children: ChildProcess[] = [];
let db: Db;

/** Start `camsync station --config FILE`; resolves with its HTTP port once it listens. */
function startStation(config: string): Promise<string> {
  // setpriv: a station never outlives this test process
  const child = spawn(
    "setpriv",
    ["--pdeathsig", "SIGTERM", process.execPath, cliPath, "station", "--config", config],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.once("exit", (code) => reject(new Error(`station exited (${code}) before listening`)));
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (s: string) => {
      buffered += s;
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const rec = line.startsWith("{") ? (JSON.parse(line) as { msg?: string; port?: number }) : {};
        if (rec.msg === "station: listening") resolve(`http://127.0.0.1:${rec.port}`);
      }
    });
  });
}

beforeAll(async () => {
  await Promise.all([engine.setup(), bucket.start()]);
  const conn = await engine.fresh();
  db = await openDb({ dataDir: "", url: conn.url, poolSize: 2 });
  await storeEvent(bucket, db, "ev1", { category: "arrest", startedAt: Date.now() - 3_600_000 });
  await new AuthService(db, 3_600_000).addUser("sup", "correct horse battery", "supervisor", false);
  const credentials = join(dir, "s3-credentials");
  writeFileSync(credentials, JSON.stringify(CREDENTIALS));
  chmodSync(credentials, 0o600);
  for (const name of ["a", "b"]) {
    writeFileSync(
      join(dir, `${name}.yaml`),
      stringify({
        station: {
          dataDir: join(dir, name),
          storage: { s3: { endpoint: bucket.s3.endpoint, bucket: "evidence", credentialsFile: credentials } },
          database: { url: conn.url, poolSize: 2 },
          http: { host: "127.0.0.1", port: 0 },
          ingest: { enabled: false },
        },
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill("SIGTERM");
      await new Promise((r) => c.once("exit", r));
    }
  }
  await db?.close();
  await bucket.stop();
  await engine.teardown();
  rmSync(dir, { recursive: true, force: true });
});

describe("share link revocation across station processes (PostgreSQL)", () => {
  it("a link revoked through station A is refused by station B on the next request", async () => {
    const [a, b] = await Promise.all([startStation(join(dir, "a.yaml")), startStation(join(dir, "b.yaml"))]);
    const signIn = await fetch(`${a}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "sup", password: "correct horse battery" }),
    });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const headers = { cookie, "content-type": "application/json" };
    const created = await fetch(`${a}/api/custody/shares`, {
      method: "POST",
      headers,
      body: JSON.stringify({ incident: "ev1", recipient: "DA office", hours: 24 }),
    });
    expect(created.status).toBe(201);
    const share = (await created.json()) as { id: string; url: string };
    expect((await fetch(`${b}${share.url}`)).status).toBe(200);

    const t0 = performance.now();
    expect((await fetch(`${a}/api/custody/shares/${share.id}`, { method: "DELETE", headers })).status).toBe(
      200,
    );
    const refused = await fetch(`${b}${share.url}`);
    const elapsed = performance.now() - t0;
    expect(refused.status).toBe(403);
    expect(elapsed).toBeLessThan(1000);
    expect((await fetch(`${b}${share.url}/events/ev1/front.mp4`)).status).toBe(403);

    const entries = (await new StationAuditLog(db, systemClock).entries()).map(
      (e) => `${e.type} ${e.user?.replace(/share:[0-9a-f]+/, "share:ID")}`,
    );
    expect(entries).toEqual([
      "share-created sup",
      "share-used share:ID",
      "share-revoked sup",
      "share-refused share:ID",
      "share-refused share:ID",
    ]);
  }, 120_000);
});
