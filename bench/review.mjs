#!/usr/bin/env node
// The review tab (issue 13): the event list with 5,000 events on disk (p99 of GET /api/review/events with
// paging and filters), Range throughput of an event MP4, the first video frame after pressing play in
// headless Chromium, and the live view's glass-to-glass latency read from a clock burned into the test
// pattern. Run after `npm run build`; Chromium at /usr/bin/chromium (or CHROMIUM_PATH). REVIEW_SKIP_LIST=1 or
// REVIEW_SKIP_PLAYER=1 runs only the other half (when working on one of them).
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dist = new URL("../dist/", import.meta.url);
const load = (p) => import(new URL(p, dist).href);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function http(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on("data", (c) => {
        bytes += c.length;
        if (bytes < 1 << 20) chunks.push(c);
      });
      res.on("end", () =>
        resolve({ status: res.statusCode, bytes, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x) => Math.round(x * 100) / 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fig = (key, label, value, unit, target, meets) => ({
  key,
  label,
  value: round(value),
  unit,
  target,
  meets,
});

/** 5,000 finalized events as the recorder leaves them (manifest only; one with a 256 MiB MP4). */
function syntheticEvents(dataDir, count) {
  const events = join(dataDir, "events");
  const t0 = Date.UTC(2026, 0, 1);
  const kinds = ["lightbar", "can", "cli", "bodycam"];
  const categories = [undefined, "traffic", "arrest", "dui"];
  for (let i = 0; i < count; i++) {
    const at = t0 + i * 3_600_000;
    const id = `${new Date(at).toISOString().replace(/[-:]|\.\d{3}/g, "")}-bench-${String(i).padStart(4, "0")}`;
    const dir = join(events, id);
    mkdirSync(dir, { recursive: true });
    const iso = (ms) => new Date(ms).toISOString();
    const segs = Array.from({ length: 60 }, (_, s) => ({
      file: `segments/front/r-${String(s).padStart(6, "0")}.ts`,
      startedAt: iso(at - 30_000 + s * 2000),
      durationSeconds: 2,
      sha256: "0".repeat(64),
      bytes: 500_000,
      part: 1,
    }));
    const manifest = {
      manifestVersion: 1,
      eventId: id,
      vehicle: { id: "bench" },
      officer: "B-4711",
      software: { name: "camsync", version: "bench" },
      startedAt: iso(at),
      endedAt: iso(at + 90_000),
      origin: { kind: kinds[i % 4], id: "x" },
      timeline: [
        { at: iso(at), type: "event-start", reason: "light bar on" },
        { at: iso(at + 30_000), type: "mark", reason: "mark" },
        { at: iso(at + 60_000), type: "stop-requested", reason: "stop" },
      ],
      preEvent: { requestedSeconds: 30, coveredSeconds: 30, audio: "muted" },
      postRollSeconds: 30,
      cameras: [
        {
          name: "front",
          files: [{ file: "front.mp4", sha256: "0".repeat(64), bytes: 1, durationSeconds: 120, part: 1 }],
          segments: segs,
          gaps: [],
        },
        {
          name: "rear",
          files: [{ file: "rear.mp4", sha256: "0".repeat(64), bytes: 1, durationSeconds: 120, part: 1 }],
          segments: segs,
          gaps: [],
        },
      ],
      bodycams: [{ id: "bc1", commandedAt: iso(at), confirmedAt: iso(at + 400), latencyMs: 400, alerts: [] }],
      gpsTrack: Array.from({ length: 90 }, (_, s) => ({
        at: iso(at + s * 1000),
        lat: 48 + s * 1e-4,
        lon: 11,
        speedKmh: 50,
      })),
      signals: [{ at: iso(at), name: "VehicleSpeed", value: 50 }],
      ...(categories[i % 4] ? { category: categories[i % 4] } : {}),
    };
    writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  // the newest event gets a real-sized file for the Range figure
  const newest = readdirSync(events).sort().at(-1);
  const size = 256 * 1024 * 1024;
  const fd = openSync(join(events, newest, "front.mp4"), "w");
  const block = Buffer.alloc(8 * 1024 * 1024, 7);
  for (let done = 0; done < size; done += block.length) writeSync(fd, block);
  closeSync(fd);
  const mpath = join(events, newest, "manifest.json");
  const m = JSON.parse(readFileSync(mpath, "utf8"));
  m.cameras[0].files[0].bytes = size;
  writeFileSync(mpath, `${JSON.stringify(m, null, 2)}\n`);
  return { newest, size };
}

async function listAndRange() {
  const { createStatusPage } = await load("statuspage/status-page.js");
  const { silentLogger } = await load("daemon/logger.js");
  const { systemClock } = await load("core/clock.js");
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-review-"));
  try {
    const { newest, size } = syntheticEvents(dir, 5000);
    const page = createStatusPage({
      config: { enabled: true, host: "127.0.0.1", port: 0 },
      status: () => ({}),
      dispatch: async () => ({ ok: false, error: "bench" }),
      logger: silentLogger(),
      clock: systemClock,
      dataDir: dir,
    });
    const t0 = performance.now();
    await page.start();
    const url = page.url;
    let loaded;
    for (;;) {
      loaded = JSON.parse((await http(`${url}api/review/events?pageSize=1`)).body);
      if (!loaded.loading) break;
      await sleep(50);
    }
    const indexMs = performance.now() - t0;
    if (loaded.total !== 5000) throw new Error(`index holds ${loaded.total} events, not 5000`);
    const queries = [
      "",
      "?page=7",
      "?trigger=can",
      "?category=traffic&page=3",
      "?from=2026-03-01&to=2026-03-31",
      "?trigger=lightbar&category=none&pageSize=100",
      "?page=200",
    ];
    const lat = [];
    for (let i = 0; i < 700; i++) {
      const q = queries[i % queries.length];
      const s = performance.now();
      const r = await http(`${url}api/review/events${q}`);
      lat.push(performance.now() - s);
      if (r.status !== 200) throw new Error(`list ${q}: ${r.status}`);
    }
    // Range: the player's pattern — sequential 4 MiB ranges — over the whole 256 MiB file, twice
    const file = `${url}api/review/events/${newest}/files/front.mp4?session=bench`;
    const chunk = 4 * 1024 * 1024;
    await http(file, { range: "bytes=0-1" }); // warm (page cache, audit entry)
    const rs = performance.now();
    let bytes = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let off = 0; off < size; off += chunk) {
        const r = await http(file, { range: `bytes=${off}-${Math.min(size, off + chunk) - 1}` });
        if (r.status !== 206) throw new Error(`range: ${r.status}`);
        bytes += r.bytes;
      }
    }
    const rangeMiBs = bytes / 2 ** 20 / ((performance.now() - rs) / 1000);
    await page.stop();
    return { lat, indexMs, rangeMiBs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function playerAndLive() {
  const { chromium } = await import("playwright-core");
  const { validateConfig } = await load("config/load.js");
  const { Daemon } = await load("daemon/daemon.js");
  const { silentLogger } = await load("daemon/logger.js");
  const { systemClock } = await load("core/clock.js");
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-player-"));
  const r = validateConfig({
    vehicle: { id: "bench1" },
    dataDir: dir,
    activation: { preEventSeconds: 1, postRollSeconds: 1 },
    recorder: {
      segmentSeconds: 1,
      cameras: ["front", "rear"].map((name) => ({
        name,
        input: { type: "test", burnClock: true },
        video: { width: 640, height: 360, fps: 15, bitrateKbps: 800 },
        audio: { enabled: false },
      })),
      storage: { reserveMinutes: 0, minFreeBytes: 0 },
    },
    mqtt: { embeddedBroker: { enabled: true, port: 0 } },
    control: { statusPage: { port: 0 } },
  });
  if (!r.ok) throw new Error(r.problems.join("\n"));
  const daemon = new Daemon({
    config: r.config,
    logger: silentLogger(),
    clock: systemClock,
    mode: "demo",
    env: {},
  });
  let browser;
  try {
    await daemon.start();
    const url = daemon.status().components["status-page"].url;
    await sleep(2500);
    const finalized = new Promise((res) => {
      const off = daemon.bus.on("event-finalized", (e) => {
        off();
        res(e.eventId);
      });
    });
    const cmd = (kind) =>
      daemon.bus.emit("command", {
        kind,
        origin: { kind: "cli", id: "bench" },
        at: Date.now(),
        reason: kind,
      });
    cmd("start");
    await sleep(8000);
    cmd("stop");
    const id = await finalized;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--autoplay-policy=no-user-gesture-required",
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await page.goto(`${url}review`);
    const firstFrame = [];
    for (let i = 0; i < 5; i++) {
      await page.locator(`#events tr.event[data-id="${id}"]`).click();
      await page.locator("#videos video").first().waitFor();
      // press play at once (what the officer does) and wait for a frame of every camera to be presented
      const ms = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const videos = [...document.querySelectorAll("#videos video")];
            const t0 = performance.now();
            let left = videos.length;
            for (const v of videos)
              v.requestVideoFrameCallback(() => {
                left -= 1;
                if (left === 0) resolve(performance.now() - t0);
              });
            document.getElementById("play").click();
          }),
      );
      firstFrame.push(ms);
      await page.click("#back");
      await page.locator(`#events tr.event[data-id="${id}"]`).waitFor();
    }
    // live view: decode the burned clock from the picture on screen, compare with the browser's clock
    await page.locator('#live-cams button[data-camera="front"]').click();
    await page.waitForFunction(() => (document.querySelector("#videos img")?.naturalWidth ?? 0) > 0, null, {
      timeout: 20_000,
    });
    await sleep(1000);
    const latencies = [];
    for (let i = 0; i < 30; i++) {
      const ms = await page.evaluate(() => {
        const img = document.querySelector("#videos img");
        const c = document.createElement("canvas");
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const g = c.getContext("2d", { willReadFrequently: true });
        g.drawImage(img, 0, 0);
        const now = Date.now();
        const y = Math.floor(c.height / 40);
        let value = 0;
        for (let b = 0; b < 20; b++) {
          const px = g.getImageData(Math.floor(((b + 0.5) * c.width) / 20), y, 1, 1).data;
          if ((px[0] + px[1] + px[2]) / 3 > 128) value += 2 ** b;
        }
        const nowCs = Math.floor(now / 10) % 2 ** 20;
        return ((((nowCs - value) % 2 ** 20) + 2 ** 20) % 2 ** 20) * 10;
      });
      latencies.push(ms);
      await sleep(317);
    }
    // The burned clock counts from the run's start (taken just before ffmpeg was spawned); ffmpeg's first
    // frame comes a little later. The recorder's own anchor for the run (smallest segment mtime − segment
    // end: the wall time of media t = 0, within tens of ms) tells how much later; that much is subtracted.
    const ringDir = join(dir, "ring", "front");
    const list = readdirSync(ringDir)
      .filter((f) => f.endsWith(".csv"))
      .sort()
      .at(-1);
    const run = list.slice(0, -4);
    const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})$/.exec(run).slice(1).map(Number);
    const runStart = Date.UTC(m[0], m[1] - 1, m[2], m[3], m[4], m[5], m[6]);
    let anchor = Number.POSITIVE_INFINITY;
    for (const line of readFileSync(join(ringDir, list), "utf8").trim().split("\n")) {
      const [file, , end] = line.split(",");
      try {
        anchor = Math.min(anchor, statSync(join(ringDir, file)).mtimeMs - Number(end) * 1000);
      } catch {}
    }
    const startup = anchor - runStart;
    return { firstFrame, latencies: latencies.map((l) => l - startup), startup };
  } finally {
    await browser?.close();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  const { lat, indexMs, rangeMiBs } = process.env.REVIEW_SKIP_LIST
    ? { lat: [0], indexMs: 0, rangeMiBs: 0 }
    : await listAndRange();
  const figures = [
    fig("review-index-ms", "Review index of 5,000 events built at start", indexMs, "ms", "—", null),
    fig(
      "review-list-p50",
      "Event list with 5,000 events (paging, filters), p50",
      pct(lat, 50),
      "ms",
      "—",
      null,
    ),
    fig(
      "review-list-p99",
      "Event list with 5,000 events (paging, filters), p99",
      pct(lat, 99),
      "ms",
      "≤ 50 ms",
      pct(lat, 99) <= 50,
    ),
    fig(
      "review-range-mibs",
      "Range requests (4 MiB, sequential) of an event MP4",
      rangeMiBs,
      "MiB/s",
      "≥ 200 MiB/s",
      rangeMiBs >= 200,
    ),
  ];
  if (existsSync(CHROMIUM) && !process.env.REVIEW_SKIP_PLAYER) {
    const { firstFrame, latencies, startup } = await playerAndLive();
    const ff = Math.max(...firstFrame);
    figures.push(
      fig(
        "review-first-frame-max",
        "Play pressed → first frame of both cameras (Chromium, loopback), worst of 5",
        ff,
        "ms",
        "≤ 500 ms",
        ff <= 500,
      ),
      fig(
        "live-ffmpeg-startup",
        "Burned clock correction: ffmpeg start-up after the run's start",
        startup,
        "ms",
        "—",
        null,
      ),
      fig(
        "live-latency-p50",
        "Live view (preview picture) glass-to-glass, burned clock, p50",
        pct(latencies, 50),
        "ms",
        "—",
        null,
      ),
      fig(
        "live-latency-max",
        "Live view (preview picture) glass-to-glass, burned clock, worst of 30",
        Math.max(...latencies),
        "ms",
        "≤ 2000 ms",
        Math.max(...latencies) <= 2000,
      ),
    );
  }
  return { name: "Review", figures };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await run(), null, 2));
