import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import {
  type StatusPayload,
  statusPayloadSchema,
  type UploadPayload,
  uploadPayloadSchema,
} from "../../src/bodycam/payloads.js";
import { loadManifest } from "../../src/evidence/manifest-file.js";
import { sha256Hex } from "../../src/storage/sha256.js";
import { startTempDaemon } from "../support/temp-daemon.js";
import { makeEvent, tempDataDir } from "./event-fixture.js";
import { S3ServerProcess } from "./s3-server.js";

/**
 * The car announces a verified upload on `R/upload` and reports its offload queue in `R/status`:
 * a real daemon (in-process) with its embedded broker, offloading to a real s3rver, watched by the
 * station's read-only identity on that broker (as the demo's station and a fleet bridge see it).
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MiB = 1024 * 1024;

interface Seen<T> {
  payload: T;
  retain: boolean;
  qos: number;
  /** What the bucket held when the message arrived: the manifest's bytes, by key. */
  manifestOnServer: string | null;
}

async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("upload announcements and the offload backlog (daemon, embedded broker, s3rver)", () => {
  it("announces each event only after its upload is verified, never on a failed one, and R/status counts the queue down", async () => {
    const s3 = new S3ServerProcess();
    cleanups.push(() => s3.dispose());
    await s3.start();
    await s3.stop(); // keeps its port: the car starts out of range
    const dir = tempDataDir("announce");
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const creds = join(dir, "s3-credentials");
    writeFileSync(creds, "[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
    chmodSync(creds, 0o600);
    const { daemon, component } = await startTempDaemon(
      {
        vehicle: { id: "unit12" },
        mqtt: {
          protocolVersion: 4,
          embeddedBroker: {
            enabled: true,
            port: 0,
            observers: [{ username: "station", password: "pw-station" }],
          },
        },
        control: { statusPage: { enabled: false } },
        evidence: {
          offload: {
            enabled: true,
            endpoint: s3.endpoint,
            bucket: s3.bucket,
            prefix: "cars/",
            credentialsFile: creds,
            partSizeMiB: 5,
            probeIntervalSeconds: 1,
            maxBackoffSeconds: 1,
          },
        },
      },
      cleanups,
    );
    const url = component("bodycam-sync")?.embeddedBroker;
    if (typeof url !== "string") throw new Error("no embedded broker");
    const station = await mqtt.connectAsync(url, {
      clientId: "station",
      username: "station",
      password: "pw-station",
      protocolVersion: 4,
    });
    cleanups.push(() => station.endAsync(true));
    const uploads: Seen<UploadPayload>[] = [];
    const statuses: StatusPayload[] = [];
    station.on("message", (topic, payload, packet) => {
      const json: unknown = JSON.parse(payload.toString());
      if (topic === "camsync/v1/unit12/status") {
        statuses.push(statusPayloadSchema.parse(json));
        return;
      }
      const a = uploadPayloadSchema.parse(json);
      const key = a.manifestKey ?? "";
      let manifestOnServer: string | null = null;
      try {
        manifestOnServer = readFileSync(s3.objectFile(key), "utf8");
      } catch {
        // not there (yet)
      }
      uploads.push({ payload: a, retain: packet.retain, qos: packet.qos, manifestOnServer });
    });
    await station.subscribeAsync(["camsync/v1/+/upload", "camsync/v1/unit12/status"], { qos: 1 });
    const backlog = () => {
      const s = statuses.at(-1);
      return s?.online ? s.backlog : undefined;
    };
    await until("a first backlog (nothing waiting)", () => backlog()?.events === 0);

    // Two finished events while out of range: a large one (multipart) and a small one, started an hour apart.
    const older = makeEvent(daemon.dataDir, {
      startedAt: Date.UTC(2026, 10, 26, 9),
      cameras: [{ name: "front", bytes: 6 * MiB }],
    });
    const newer = makeEvent(daemon.dataDir, { startedAt: Date.UTC(2026, 10, 26, 10) });
    for (const e of [older, newer])
      daemon.bus.emit("event-finalized", {
        eventId: e.eventId,
        dir: e.dir,
        manifestSha256: e.manifestSha256,
        at: Date.now(),
      });
    await until("both events in the backlog", () => backlog()?.events === 2);
    expect(backlog()).toEqual({ events: 2, oldestStartedAt: "2026-11-26T09:00:00.000Z" });
    expect(component("offload")?.backlog).toEqual(backlog()); // camsync status says the same
    expect(uploads).toEqual([]);

    // In range, but the server corrupts every multipart object: the large event fails verification,
    // the small one (a single PUT) is uploaded and verified.
    await s3.start({ corrupt: true });
    await until("the small event announced", () => uploads.length === 1);
    await until("the backlog down to one", () => backlog()?.events === 1);
    expect(backlog()).toEqual({ events: 1, oldestStartedAt: "2026-11-26T09:00:00.000Z" });
    // a failed verification or two later, still nothing for the large event
    await until("a failed verification of the large event", () =>
      readFileSync(join(daemon.dataDir, "audit.jsonl"), "utf8").includes('"upload-verify-failed"'),
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(uploads.map((u) => u.payload.eventId)).toEqual([newer.eventId]);
    expect(loadManifest(older.dir).manifest.offload?.state).not.toBe("verified");

    // A sound server: the large event goes, is announced, and the queue is empty.
    await s3.stop();
    await s3.start();
    await until("the large event announced", () => uploads.length === 2);
    await until("the backlog empty", () => backlog()?.events === 0);
    expect(backlog()).toEqual({ events: 0, oldestStartedAt: null });

    for (const [i, e] of [newer, older].entries()) {
      const seen = uploads[i] as Seen<UploadPayload>;
      const local = loadManifest(e.dir);
      expect(seen.payload).toEqual({
        v: 1,
        kind: "event",
        key: `unit12/${e.eventId}/`, // relative to the bucket's configured prefix
        eventId: e.eventId,
        bucket: "evidence",
        manifestKey: `cars/unit12/${e.eventId}/manifest.json`,
        manifestSha256: local.sha256,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect(seen.retain).toBe(false);
      expect(seen.qos).toBe(1);
      // Not before: when the announcement arrived, the bucket already held exactly the announced manifest,
      // the one the car records as verified.
      expect(seen.manifestOnServer).not.toBeNull();
      expect(sha256Hex(Buffer.from(seen.manifestOnServer ?? ""))).toBe(seen.payload.manifestSha256);
      expect(local.manifest.offload?.state).toBe("verified");
    }
    // the backlog only ever counted down once the events were known: 0 → 2 → 1 → 0
    const counts = statuses.flatMap((s) => (s.online && s.backlog ? [s.backlog.events] : []));
    expect(counts.filter((n, i) => i === 0 || n !== counts[i - 1])).toEqual([0, 2, 1, 0]);
  }, 90_000);
});
