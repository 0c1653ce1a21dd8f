import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDataDir } from "../evidence/event-fixture.js";
import { S3ServerProcess } from "../evidence/s3-server.js";
import { CliProcess, runCli } from "../support/cli.js";
import { engines, STATION_TEST_TIMEOUT } from "../support/station-db.js";
import { TestCar } from "./car-upload.js";
import { stationSuite, writeStationYaml } from "./station-rig.js";

/** `camsync station` as an operator runs it: the first admin from the command line, then the server. */
describe.each(engines())("camsync station command on $name", (engine) => {
  const s3 = new S3ServerProcess();
  const suite = stationSuite(engine, s3);

  it(
    "adds the first admin (password on stdin), serves the API with what it ingested, and exits 0 on SIGTERM",
    async () => {
      const dir = tempDataDir("station-cli");
      suite.later(() => rmSync(dir, { recursive: true, force: true }));
      const car = new TestCar(s3);
      await car.start();
      suite.later(() => car.stop());
      const e = car.record({ startedAt: Date.UTC(2026, 10, 26, 14) });
      await car.upload();
      const { path: config } = await writeStationYaml(engine, s3, dir, { http: { port: 0 } });
      const add = (args: string[], input: string) =>
        runCli(["station", "user", "add", ...args, "--config", config], { input });
      const created = add(["chief", "--role", "admin"], "chief-password-1\n");
      expect([created.code, created.stderr]).toEqual([0, ""]);
      expect(JSON.parse(created.stdout)).toEqual({ user: "chief", role: "admin", result: "created" });
      const again = add(["chief", "--role", "admin"], "chief-password-2\n");
      expect([again.code, again.stderr.trim()]).toEqual([1, "camsync station user add: user chief exists"]);
      expect(add(["rookie", "--role", "captain"], "rookie-password\n")).toMatchObject({ code: 1 });
      expect(add(["rookie", "--role", "viewer"], "short\n").stderr).toContain("at least 10 characters");
      expect(add(["rookie"], "rookie-password\n").code).toBe(2);
      expect(runCli(["station", "--config", join(dir, "missing.yaml")]).code).toBe(1);

      const server = new CliProcess(["station", "--config", config]);
      suite.later(async () => {
        await server.stop("SIGKILL");
      });
      const listening = await server.waitFor((l) => l.msg === "station: listening", 60_000, "listening");
      const base = `http://127.0.0.1:${String(listening.port)}`;
      const signIn = await fetch(`${base}/api/session`, {
        method: "POST",
        body: JSON.stringify({ name: "chief", password: "chief-password-1" }),
      });
      expect(signIn.status).toBe(200);
      const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      await server.waitFor((l) => l.msg === "ingest: event indexed", 60_000, "the event indexed");
      const found = await (await fetch(`${base}/api/events?officer=B1234`, { headers: { cookie } })).json();
      expect(found.items.map((i: { eventId: string }) => i.eventId)).toEqual([e.eventId]);
      // five wrong passwords lock the account; the right one is then refused too
      const attempt = (password: string) =>
        fetch(`${base}/api/session`, { method: "POST", body: JSON.stringify({ name: "chief", password }) });
      for (let i = 0; i < 5; i++) await attempt(`wrong-${i}`);
      expect((await attempt("chief-password-1")).status).toBe(429);
      expect(await server.stop("SIGTERM")).toBe(0);

      // an administrator releases it from the command line (PGlite: with the server stopped)
      const unlock = (name: string) => runCli(["station", "user", "unlock", name, "--config", config]);
      const ghost = unlock("ghost");
      expect([ghost.code, ghost.stderr.trim()]).toEqual([1, "camsync station user unlock: no user ghost"]);
      const unlocked = unlock("chief");
      expect([unlocked.code, JSON.parse(unlocked.stdout)]).toEqual([0, { user: "chief", locked: false }]);
      const again2 = new CliProcess(["station", "--config", config]);
      suite.later(async () => {
        await again2.stop("SIGKILL");
      });
      const l2 = await again2.waitFor((l) => l.msg === "station: listening", 60_000, "listening again");
      const after = await fetch(`http://127.0.0.1:${String(l2.port)}/api/session`, {
        method: "POST",
        body: JSON.stringify({ name: "chief", password: "chief-password-1" }),
      });
      expect(after.status).toBe(200);
      expect(await again2.stop("SIGTERM")).toBe(0);
    },
    STATION_TEST_TIMEOUT,
  );
});
