import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { processStart } from "../../src/evidence/audit-lock.js";
import {
  DaemonHarness,
  eventually,
  ffmpegPid,
  isReady,
  processesMentioning,
  sleep,
} from "./daemon-harness.js";

const h = new DaemonHarness();
afterEach(() => h.cleanup());

/** Decode a whole file; returns ffmpeg's complaints (empty when it is intact) and its frame count. */
function decode(file: string): { errors: string; frames: number } {
  const r = spawnSync(
    "ffprobe",
    [
      "-v",
      "error",
      "-count_frames",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=nb_read_frames",
      "-of",
      "csv=p=0",
      file,
    ],
    { encoding: "utf8" },
  );
  return { errors: r.stderr.trim(), frames: Number.parseInt(r.stdout.trim(), 10) };
}

describe("ffmpeg dies with its daemon", () => {
  it("a SIGKILLed daemon's ffmpeg stops within 5 s (no systemd), and its last segment is closed, listed and intact", async () => {
    const { config, dataDir } = h.config();
    const d = h.start(config);
    await d.waitFor(isReady, 30_000);
    await sleep(2500); // a few segments, and one being written
    const ring = join(dataDir, "ring", "front");
    const pid = ffmpegPid(dataDir);
    expect(processStart(pid)).not.toBeNull();
    h.onCleanup(() => {
      if (processStart(pid) !== null) process.kill(pid, "SIGKILL");
    });

    await d.stop("SIGKILL");
    expect(await eventually(() => processStart(pid) === null, 5000)).toBe(true);
    expect(processesMentioning(ring)).toEqual([]);

    const list = readdirSync(ring).find((f) => f.endsWith(".csv"));
    expect(list).toBeDefined();
    const listed = readFileSync(join(ring, list as string), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(",")[0] as string);
    const onDisk = readdirSync(ring)
      .filter((f) => f.endsWith(".ts"))
      .sort();
    // every segment ffmpeg started is closed and listed (the interrupted one included)
    expect(listed).toEqual(onDisk);
    const last = decode(join(ring, onDisk.at(-1) as string));
    expect(last.errors).toBe("");
    expect(last.frames).toBeGreaterThan(0);
  });
});
