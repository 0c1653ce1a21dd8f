import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clipManifestSchema } from "../../src/bodycam/clip-manifest.js";
import { S3ServerProcess } from "../evidence/s3-server.js";
import { writeS3Credentials } from "../station/patrol-fleet.js";
import { CliProcess } from "../support/cli.js";
import { type BrokerFixture, DaemonUnderTest, embeddedFixture, firstClipFrame, waitFor } from "./harness.js";

function stopProcessesWriting(path: string): void {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(path)) process.kill(Number(pid), "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * `camsync bodycam --clips --dock` as a process, against the car's real sync + activation service on
 * the embedded broker and a real s3rver: a clip carries the car's event id, a cam killed mid-clip
 * finishes and docks that clip when it starts again, and a clip that could not be docked (station
 * unreachable) is docked by the next start. Objects land under bodycams/{camId}/{clipId}/, manifest last.
 */
describe("body-cam clips docked to the station's bucket", () => {
  let broker: BrokerFixture;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  beforeAll(async () => {
    broker = await embeddedFixture();
  });
  afterAll(async () => {
    await broker?.close();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("records, survives a kill mid-clip, docks every clip with the car's event id", async () => {
    const dir = mkdtempSync(join(tmpdir(), "camsync-dock-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const s3 = new S3ServerProcess();
    cleanups.push(() => s3.dispose());
    await s3.start();
    const creds = writeS3Credentials(join(dir, "s3.json"));
    const daemon = await new DaemonUnderTest("dockcar", join(dir, "car"), broker, {
      paired: ["bc1"],
    }).start();
    cleanups.push(() => daemon.stop());
    await waitFor("daemon connected", () => daemon.connected);
    const url = (broker.camOptions("bc1") as { url: string }).url;
    const clips = join(dir, "clips");
    // A cam killed with SIGKILL cannot stop its ffmpeg; until capture processes die with their parent
    // (issue 11's guard in launchCapture), stop any ffmpeg still writing into this test's clips.
    cleanups.push(() => stopProcessesWriting(clips));
    const args = [
      "bodycam",
      "--id",
      "bc1",
      "--url",
      url,
      "--vehicle",
      "dockcar",
      "--clips",
      clips,
      "--officer",
      "B-7",
    ];
    const start = (dock = `${s3.endpoint}/evidence/`) => {
      const p = new CliProcess([...args, "--dock", dock, "--dock-credentials", creds], {
        env: { CAMSYNC_BODYCAM_PASSWORD: "pw-bc1" },
      });
      cleanups.push(() => p.stop("SIGKILL"));
      return p;
    };

    // 1. The officer presses record; the car opens an event; the clip takes its id. Killed mid-clip.
    let cam = start();
    await cam.waitFor((l) => l.event === "connected", 10_000, "connected");
    await waitFor("cam online at the car", () =>
      (daemon.sync.status().bodycams as { online: boolean }[]).some((c) => c.online),
    );
    cam.child.kill("SIGUSR1");
    await waitFor("event started", () => daemon.eventId !== null, 10_000);
    const eventId = daemon.eventId;
    const started = await cam.waitFor((l) => l.event === "clip-started", 10_000, "clip started");
    await cam.waitFor((l) => l.event === "recording" && l.eventId === eventId, 10_000, "event adopted");
    await firstClipFrame(clips, String(started.clipId));
    await new Promise((r) => setTimeout(r, 2500));
    cam.child.kill("SIGKILL");
    await cam.exited;

    // 2. Started again: the unfinished clip is finished and docked.
    cam = start();
    await cam.waitFor(
      (l) => l.event === "clip-recovered" && l.clipId === started.clipId,
      15_000,
      "recovered",
    );
    await cam.waitFor((l) => l.event === "clip-docked" && l.clipId === started.clipId, 15_000, "docked");
    const prefix = `bodycams/bc1/${started.clipId as string}/`;
    const manifest = clipManifestSchema.parse(
      JSON.parse(readFileSync(s3.objectFile(`${prefix}manifest.json`), "utf8")),
    );
    expect(manifest).toMatchObject({
      camId: "bc1",
      officer: "B-7",
      vehicleId: "dockcar",
      eventId,
      clockSource: "car",
    });
    const stored = readFileSync(s3.objectFile(`${prefix}clip.mp4`));
    expect(createHash("sha256").update(stored).digest("hex")).toBe(manifest.files[0]?.sha256);
    expect(manifest.files[0]?.durationSeconds).toBeGreaterThan(1);
    const puts = s3.requests.filter((r) => r.method === "PUT" && r.path.includes(prefix)).map((r) => r.path);
    expect(puts.at(-1)).toBe(`/evidence/${prefix}manifest.json`); // the manifest last

    // 3. The car's event is still on: the restarted cam follows it into a new clip. The station is
    // unreachable when that clip ends: the clip is kept, and docked by the next start.
    const second = await cam.waitFor(
      (l) => l.event === "clip-started" && l.clipId !== started.clipId,
      10_000,
      "2nd clip",
    );
    expect(second.eventId).toBe(eventId);
    await firstClipFrame(clips, String(second.clipId));
    await new Promise((r) => setTimeout(r, 1500));
    await s3.stop();
    cam.child.stdin?.write("stop\n");
    await cam.waitFor(
      (l) => l.event === "clip-dock-failed" && l.clipId === second.clipId,
      20_000,
      "dock failed",
    );
    expect(await cam.stop("SIGTERM")).toBe(0);
    await s3.start();
    cam = start();
    await cam.waitFor((l) => l.event === "clip-docked" && l.clipId === second.clipId, 15_000, "docked later");
    expect(
      s3.requests.some((r) => r.path === `/evidence/bodycams/bc1/${second.clipId as string}/manifest.json`),
    ).toBe(true);
  }, 90_000);
});
