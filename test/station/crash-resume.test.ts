import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDb } from "../../src/station/db.js";
import { EventsRepository } from "../../src/station/events-repository.js";
import { IngestRepository } from "../../src/station/ingest-repository.js";
import { tempDataDir } from "../evidence/event-fixture.js";
import { S3ServerProcess } from "../evidence/s3-server.js";
import { CliProcess, runCli } from "../support/cli.js";
import { engines, STATION_TEST_TIMEOUT } from "../support/station-db.js";
import { TestCar } from "./car-upload.js";
import { stationSuite, writeStationYaml } from "./station-rig.js";

const MiB = 1024 * 1024;

/**
 * `camsync station ingest --once` killed (SIGKILL) while it hashes an event: the next run takes the
 * job over once its lease expired and indexes the event exactly once.
 */
describe.each(engines())("station ingest killed mid-ingest resumes on $name", (engine) => {
  const s3 = new S3ServerProcess();
  const suite = stationSuite(engine, s3);

  it(
    "a second `camsync station ingest --once` after a SIGKILL indexes the event once",
    async () => {
      const dir = tempDataDir("station-crash");
      suite.later(() => rmSync(dir, { recursive: true, force: true }));
      const car = new TestCar(s3);
      await car.start();
      suite.later(() => car.stop());
      const e = car.record({
        startedAt: Date.UTC(2026, 10, 26, 14),
        cameras: [{ name: "front", bytes: 48 * MiB }],
      });
      await car.upload();
      const { path: config, conn } = await writeStationYaml(
        engine,
        s3,
        dir,
        { ingest: { leaseSeconds: 5 } },
        { level: "debug" },
      );
      const first = new CliProcess(["station", "ingest", "--once", "--config", config]);
      await first.waitFor((l) => l.msg === "ingest: job claimed", 60_000, "the job claimed");
      first.child.kill("SIGKILL");
      await first.exited;
      expect(first.lines.some((l) => l.msg === "ingest: event indexed")).toBe(false);

      // the dead process left its claim (a lease) and nothing indexed
      const open = () =>
        openDb(conn.url ? { url: conn.url, dataDir: "" } : { dataDir: join(conn.dataDir, "db") });
      const db1 = await open();
      try {
        expect(await new EventsRepository(db1).get(e.eventId)).toBeNull();
        expect(await new IngestRepository(db1).job(`unit12/${e.eventId}/`)).toMatchObject({
          state: "running",
          attempts: 1,
        });
      } finally {
        await db1.close();
      }
      await new Promise((r) => setTimeout(r, 5500)); // the lease (5 s) runs out
      const third = runCli(["station", "ingest", "--once", "--config", config]);
      expect(third.code).toBe(0);
      expect(third.stdout).toContain("ingest: event indexed");

      const db = await open();
      try {
        expect((await new EventsRepository(db).get(e.eventId))?.eventId).toBe(e.eventId);
        expect(await new IngestRepository(db).job(`unit12/${e.eventId}/`)).toMatchObject({
          state: "done",
          attempts: 2,
        });
      } finally {
        await db.close();
      }
    },
    STATION_TEST_TIMEOUT,
  );
});
