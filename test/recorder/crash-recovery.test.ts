import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Decision } from "../../src/core/activation.js";
import type { EventManifest } from "../../src/evidence/manifest.js";
import { parseSegmentList } from "../../src/recorder/segment.js";
import {
  cleanupAfterEach,
  decision,
  finishEvent,
  makeRig,
  recorderConfig,
  sleep,
  startedRig,
  tempDataDir,
  testCamera,
} from "./harness.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const built = existsSync(join(repoRoot, "dist/recorder/dash-recorder.js"));
const childConfig = {
  cameras: [testCamera("front")],
  storage: { reserveMinutes: 0, minFreeBytes: 0, checkIntervalSeconds: 1 },
  ring: { marginSeconds: 4 },
};

let child: ChildProcess | undefined;
let childDataDir: string | undefined;
cleanupAfterEach();
// Registered last, so it runs first: a test that failed early leaves the child and its orphaned ffmpeg.
afterEach(() => {
  child?.kill("SIGKILL");
  if (!childDataDir) return;
  try {
    process.kill(Number(readFileSync(join(childDataDir, "ring", "front", "ffmpeg.pid"), "utf8")), "SIGKILL");
  } catch {
    // already stopped by the restarted recorder
  }
});

/** A recorder daemon in a child process; resolves once it is recording. */
async function startChild(dataDir: string) {
  const proc = spawn(
    process.execPath,
    [join(import.meta.dirname, "recorder-process.mjs"), JSON.stringify({ dataDir, config: childConfig })],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  child = proc;
  childDataDir = dataDir;
  let out = "";
  const waitFor = (word: string, count: number) =>
    new Promise<void>((res, rej) => {
      const check = () => {
        if (out.split("\n").filter((l) => l === word).length >= count) res();
      };
      proc.stdout?.on("data", (b: Buffer) => {
        out += b.toString();
        check();
      });
      proc.once("exit", (code) => rej(new Error(`recorder process exited (${code}) before '${word}'`)));
      check();
    });
  await waitFor("ready", 1);
  let sent = 0;
  return {
    proc,
    send: async (d: Decision) => {
      proc.stdin?.write(`${JSON.stringify(d)}\n`);
      sent += 1;
      await waitFor("ok", sent);
    },
  };
}

/**
 * Every segment ffmpeg reports complete in the ring's CSV lists (all runs), collected every 100 ms
 * (ring rotation later deletes lists whose segments are gone).
 */
function collectListedSegments(ringDir: string): { stop: () => string[] } {
  const seen = new Set<string>();
  const read = () => {
    for (const f of existsSync(ringDir) ? readdirSync(ringDir) : []) {
      if (!f.endsWith(".csv")) continue;
      try {
        for (const e of parseSegmentList(readFileSync(join(ringDir, f), "utf8")).entries) seen.add(e.file);
      } catch {
        // deleted between readdir and read
      }
    }
  };
  const timer = setInterval(read, 100);
  return {
    stop: () => {
      clearInterval(timer);
      read();
      return [...seen].sort();
    },
  };
}

describe.skipIf(!built)(
  "daemon killed mid-event (needs `npm run build`: the killed recorder runs from dist/)",
  { timeout: 90_000 },
  () => {
    it("after a restart the same event continues and completes with no segment lost", async () => {
      const t = tempDataDir();
      const id = "20261126T142233Z-unit12-eeee";
      const listed = collectListedSegments(join(t.dir, "ring", "front"));
      const first = await startChild(t.dir);
      await sleep(3000);
      const triggerAt = Date.now();
      await first.send(decision.start(id, triggerAt, 2));
      await sleep(2000);
      const orphan = Number(readFileSync(join(t.dir, "ring", "front", "ffmpeg.pid"), "utf8"));
      first.proc.kill("SIGKILL"); // its ffmpeg gets SIGINT from the kernel (parent death) and closes its segment
      const killedAt = Date.now();
      const orphanRunning = () =>
        existsSync(`/proc/${orphan}/cmdline`) && readFileSync(`/proc/${orphan}/cmdline`).length > 0;
      // It stops by itself, not by the restarted recorder: its guard sends SIGINT, then SIGKILL 5 s later.
      await expect.poll(orphanRunning, { timeout: 10_000, interval: 50 }).toBe(false);
      await sleep(Math.max(0, killedAt + 1500 - Date.now())); // the daemon stays down at least 1.5 s

      const rig = makeRig(t.dir, recorderConfig());
      await rig.recorder.start();
      rig.emit(decision.resume(id, Date.now()));
      await rig.recorder.ready();
      await sleep(1500);
      rig.emit(decision.stop(id, Date.now(), 1));
      await sleep(1000);
      const all = listed.stop(); // every segment completed before the end of the event
      const endAt = Date.now();
      rig.emit(decision.end(id, endAt));
      const fin = await rig.nextFinalized(id);
      const manifest = JSON.parse(readFileSync(join(fin.dir, "manifest.json"), "utf8")) as EventManifest;
      const cam = manifest.cameras[0];
      if (!cam) throw new Error("no camera in manifest");
      const inManifest = new Set(cam.segments.map((s) => s.file.split("/").at(-1)));

      // Every segment completed from the first claimed one on — before the kill (the last one closed by
      // the dying ffmpeg) and after the restart — is in the event.
      const firstClaimed = [...inManifest].sort()[0] ?? "";
      const expected = all.filter((f) => f >= firstClaimed);
      expect(expected.length).toBeGreaterThan(6);
      expect(expected.filter((f) => !inManifest.has(f))).toEqual([]);
      const ends = cam.segments.map((s) => Date.parse(s.startedAt) + s.durationSeconds * 1000);
      expect(ends.some((e) => e > killedAt - 1500 && e < killedAt + 1500)).toBe(true); // footage up to the kill
      expect(manifest.timeline.map((e) => e.type)).toContain("daemon-restart");
      expect(manifest.interrupted).toBeUndefined();
      expect(cam.files).toHaveLength(1);
      expect(existsSync(join(fin.dir, "front.mp4"))).toBe(true);
      // The only hole is the daemon's downtime (1.5 s here) plus the restart of ffmpeg, recorded.
      expect(cam.gaps.length).toBeLessThanOrEqual(1);
      for (const g of cam.gaps) expect(g.seconds).toBeLessThan(5);
    });

    it("an event cut off by a crash (never resumed) is assembled at the next start, marked interrupted", async () => {
      const t = tempDataDir();
      const id = "20261126T142233Z-unit12-ffff";
      const first = await startChild(t.dir);
      await sleep(3000);
      await first.send(decision.start(id, Date.now(), 2));
      await sleep(1500);
      first.proc.kill("SIGKILL");
      await sleep(500);
      expect(existsSync(join(t.dir, "events", id, "manifest.json"))).toBe(false);

      const rig = makeRig(t.dir, recorderConfig({ recovery: { resumeGraceSeconds: 1 } }));
      await rig.recorder.start();
      const fin = await rig.nextFinalized(id, 20_000);
      const manifest = JSON.parse(readFileSync(join(fin.dir, "manifest.json"), "utf8")) as EventManifest;
      expect(manifest.interrupted).toMatch(/daemon stopped before the event ended/);
      const cam = manifest.cameras[0];
      expect(cam?.files[0]?.file).toBe("front.mp4");
      // Pre-event plus the 1.5 s recorded before the crash (the last segment closed by the dying ffmpeg).
      expect(cam?.segments.length ?? 0).toBeGreaterThanOrEqual(3);
      expect(cam?.gaps).toEqual([]);
    });
  },
);

describe("daemon stopped during assembly", { timeout: 90_000 }, () => {
  it("an event whose assembly did not finish is assembled again at the next start, same footage", async () => {
    const first = await startedRig(recorderConfig());
    await sleep(3000);
    const id = "20261126T142233Z-unit12-gggg";
    first.emit(decision.start(id, Date.now(), 2));
    await sleep(1000);
    const { fin, manifest } = await finishEvent(first, id, 1);
    await first.recorder.stop();
    // As if the power went while the MP4 and manifest were being written.
    rmSync(join(fin.dir, "manifest.json"));
    rmSync(join(fin.dir, "front.mp4"));

    const second = makeRig(first.dataDir, recorderConfig());
    await second.recorder.start();
    const again = await second.nextFinalized(id);
    const redone = JSON.parse(readFileSync(join(again.dir, "manifest.json"), "utf8")) as EventManifest;
    expect(redone.cameras[0]?.segments).toEqual(manifest.cameras[0]?.segments);
    expect(redone.endedAt).toBe(manifest.endedAt);
    expect(redone.cameras[0]?.files[0]?.sha256).toBe(manifest.cameras[0]?.files[0]?.sha256);
  });
});
