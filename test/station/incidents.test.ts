import { describe, expect, it } from "vitest";
import type { Db } from "../../src/station/db.js";
import { ConflictError, IncidentService } from "../../src/station/incident-service.js";
import { S3ServerProcess } from "../evidence/s3-server.js";
import { engines, STATION_TEST_TIMEOUT } from "../support/station-db.js";
import { putClip, TestCar } from "./car-upload.js";
import { ingestFor, stationSuite } from "./station-rig.js";

const T0 = Date.UTC(2026, 10, 26, 14, 22, 33);
const bodycam = (id: string) => ({
  id,
  commandedAt: new Date(T0).toISOString(),
  confirmedAt: null,
  latencyMs: null,
  alerts: [],
});

describe.each(engines())(
  "incidents on $name: the car's event and its body-cam clips",
  (engine) => {
    const s3 = new S3ServerProcess();
    let db: Db;
    const suite = stationSuite(engine, s3);

    async function rig() {
      db = await engine.open();
      suite.later(() => db.close());
      const { ingest, close } = await ingestFor(db, s3);
      suite.later(close);
      const car = new TestCar(s3);
      await car.start();
      suite.later(() => car.stop());
      const run = async () => {
        await ingest.scan();
        return ingest.drain();
      };
      return { ingest, car, run, incidents: new IncidentService(db) };
    }

    /** The car records an event that commanded bc1 and bc2 and uploads it. */
    async function rigWithEvent() {
      const r = await rig();
      const e = r.car.record({ startedAt: T0, bodycams: [bodycam("bc1"), bodycam("bc2")] });
      await r.car.upload();
      return { ...r, e };
    }

    it("joins clips carrying the event id, and clips of a commanded cam by time, on one time axis", async () => {
      const { run, incidents, e } = await rigWithEvent();
      // bc1 got the event id over MQTT; its clock runs 2 s ahead of the car's
      await putClip(s3, {
        camId: "bc1",
        clipId: "c1",
        eventId: e.eventId,
        officer: "B1234",
        startedAt: T0 + 2_500,
        endedAt: T0 + 62_000,
        clockOffsetMs: 2000,
      });
      // bc2 recorded without the event id (its officer pressed record); 5 minutes fast
      await putClip(s3, {
        camId: "bc2",
        clipId: "c2",
        officer: "B7777",
        startedAt: T0 + 300_000 + 10_000,
        endedAt: T0 + 300_000 + 40_000,
        clockOffsetMs: 300_000,
      });
      // another officer's cam, same time, never commanded by this car: not part of it
      await putClip(s3, {
        camId: "bc9",
        clipId: "c9",
        officer: "B9999",
        startedAt: T0,
        endedAt: T0 + 60_000,
      });
      expect((await run()).sort()).toEqual(["indexed", "indexed", "indexed", "indexed"]);
      const inc = await incidents.get(e.eventId);
      expect(inc.clips.map((c) => [c.clipId, c.link, c.alignedStart])).toEqual([
        ["c1", "event-id", new Date(T0 + 500).toISOString()],
        ["c2", "time", new Date(T0 + 10_000).toISOString()],
      ]);
      // the car's files start at the event start minus the pre-event footage
      expect(inc.files[0]?.startedAt).toBe(new Date(T0 - 30_000).toISOString());
      expect(inc.files[0]?.url).toBe(`/media/events/${e.eventId}/front.mp4`);
      expect(inc.clips[0]?.files[0]?.url).toBe("/media/clips/c1/clip.mp4");
      const unlinked = await incidents.listClips({ unlinked: true, limit: 10 });
      expect(unlinked.map((c) => c.clipId)).toEqual(["c9"]);
    });

    it("joins a clip of the same officer by time, even when it was ingested before the car's event", async () => {
      const { car, run, incidents } = await rig();
      await putClip(s3, {
        camId: "bc5",
        clipId: "early",
        officer: "B1234",
        startedAt: T0 - 20_000,
        endedAt: T0 + 20_000,
      });
      expect(await run()).toEqual(["indexed"]);
      const e = car.record({ startedAt: T0 });
      await car.upload();
      expect(await run()).toEqual(["indexed"]);
      expect((await incidents.get(e.eventId)).clips.map((c) => [c.clipId, c.link])).toEqual([
        ["early", "time"],
      ]);
    });

    it("a user can unlink a clip linked by time; it stays unlinked when things are ingested again; event-id links cannot be undone", async () => {
      const { run, incidents, e } = await rigWithEvent();
      await putClip(s3, {
        camId: "bc1",
        clipId: "c1",
        eventId: e.eventId,
        startedAt: T0,
        endedAt: T0 + 30_000,
      });
      await putClip(s3, { camId: "bc2", clipId: "c2", startedAt: T0, endedAt: T0 + 30_000 });
      await run();
      await incidents.unlinkClip(e.eventId, "c2", "sgt.miller");
      await expect(incidents.unlinkClip(e.eventId, "c1", "sgt.miller")).rejects.toBeInstanceOf(ConflictError);
      // the dock uploads the clip's manifest again (amended): still unlinked
      await putClip(s3, { camId: "bc2", clipId: "c2", startedAt: T0, endedAt: T0 + 31_000 });
      expect(await run()).toEqual(["indexed"]);
      const inc = await incidents.get(e.eventId);
      expect(inc.clips.map((c) => c.clipId)).toEqual(["c1"]);
      expect(inc.unlinkedClips).toMatchObject([{ clipId: "c2", camId: "bc2", unlinkedBy: "sgt.miller" }]);
    });

    it("quarantines a clip whose manifest names another cam or lists a file outside its prefix", async () => {
      const { run, ingest } = await rig();
      const { putObject } = await import("./car-upload.js");
      const clip = (clipId: string, camId: string, file: string) =>
        putObject(
          s3,
          `bodycams/bc1/${clipId}/manifest.json`,
          JSON.stringify({
            clipManifestVersion: 1,
            camId,
            clipId,
            startedAt: new Date(T0).toISOString(),
            endedAt: new Date(T0).toISOString(),
            clockOffsetMs: 0,
            files: [{ file, sha256: "0".repeat(64), bytes: 1 }],
          }),
        );
      await clip("x1", "bc2", "a.mp4");
      await clip("x2", "bc1", "..\\..\\etc\\passwd");
      expect(await run()).toEqual(["quarantined", "quarantined"]);
      const { QuarantineRepository } = await import("../../src/station/quarantine-repository.js");
      const reasons = (await new QuarantineRepository(db).list(10))
        .map((q) => [q.subjectId, q.reason])
        .sort();
      expect(reasons).toEqual([
        ["x1", "identity-mismatch"],
        ["x2", "unsafe-file-name"],
      ]);
      expect(ingest.bytesHashed).toBe(0);
    });
  },
  STATION_TEST_TIMEOUT,
);
