// Pre-event accuracy, second half (PRODUCT.md): "no frames lost at segment joins". The real daemon records
// a test-pattern camera (15 fps, 1 s segments); three events of ~20 s are started and stopped over the
// control socket; each assembled MP4 is read back with ffprobe and every video packet's timestamp checked:
// a step longer than one frame interval is a lost frame. The events span ~20 segment joins each, including
// the pre-event → live join. bench/recorder.mjs measures where the video starts; this measures what is
// inside it.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controlRequest } from "../dist/control/control-client.js";
import { DaemonProcess } from "../soak/daemon-process.mjs";

const FPS = 15;
const EVENTS = 3;
const EVENT_SECONDS = 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Video packet timestamps (s) of an MP4, in presentation order. */
function videoTimestamps(file) {
  const out = execFileSync(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", file],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  return out
    .split("\n")
    .map((l) => Number.parseFloat(l))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
}

/** Frames missing between consecutive timestamps (a step of k intervals means k − 1 lost frames). */
export function lostFrames(ts, fps) {
  const interval = 1 / fps;
  let lost = 0;
  let worst = 0;
  for (let i = 1; i < ts.length; i++) {
    const steps = Math.round((ts[i] - ts[i - 1]) / interval);
    worst = Math.max(worst, ts[i] - ts[i - 1]);
    if (steps > 1) lost += steps - 1;
  }
  return { lost, worstStepMs: worst * 1000 };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-joins-"));
  const dataDir = join(dir, "data");
  const config = join(dir, "camsync.yaml");
  writeFileSync(
    config,
    [
      "vehicle: { id: joins1 }",
      `dataDir: ${dataDir}`,
      "activation: { preEventSeconds: 3, postRollSeconds: 1 }",
      "recorder:",
      "  segmentSeconds: 1",
      "  cameras:",
      `    - { name: front, input: { type: test }, video: { width: 320, height: 240, fps: ${FPS}, bitrateKbps: 300 } }`,
      "control: { statusPage: { enabled: false } }",
      "",
    ].join("\n"),
  );
  const daemon = new DaemonProcess({ config, logFile: join(dir, "daemon.log") });
  try {
    await daemon.start();
    const socket = join(dataDir, "control.sock");
    await sleep(5000); // the ring holds more than the pre-event
    const ids = [];
    for (let i = 0; i < EVENTS; i++) {
      const start = await controlRequest(socket, { op: "trigger", kind: "start", via: "bench" });
      if (!start.ok) throw new Error(`start refused: ${start.error}`);
      ids.push(start.result.eventId);
      await sleep(EVENT_SECONDS * 1000);
      await controlRequest(socket, { op: "trigger", kind: "stop", via: "bench" });
      await sleep(3000);
    }
    let lost = 0;
    let frames = 0;
    let joins = 0;
    let worst = 0;
    for (const id of ids) {
      const manifestPath = join(dataDir, "events", id, "manifest.json");
      const end = Date.now() + 60_000;
      while (!existsSync(manifestPath) && Date.now() < end) await sleep(200);
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
      const cam = manifest.cameras.find((c) => c.name === "front");
      joins += Math.max(0, cam.segments.length - 1);
      for (const f of cam.files) {
        const ts = videoTimestamps(join(dataDir, "events", id, f.file));
        const r = lostFrames(ts, FPS);
        frames += ts.length;
        lost += r.lost;
        worst = Math.max(worst, r.worstStepMs);
      }
    }
    return {
      name: "segment-joins",
      figures: [
        {
          key: "framesLostAtJoins",
          label: `Frames lost in ${EVENTS} assembled events (${joins} segment joins, ${frames} frames at ${FPS} fps, daemon process)`,
          value: lost,
          unit: "frames",
          target: "0",
          baseline: `longest step between frames ${Math.round(worst)} ms (one frame = ${Math.round(1000 / FPS)} ms)`,
          meets: lost === 0,
        },
      ],
    };
  } finally {
    await daemon.stop();
    if (process.env.BENCH_KEEP) process.stderr.write(`segment-joins: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
