#!/usr/bin/env node
// The status page against a real daemon (activation engine, embedded broker, two reference body cams):
// how fast a Start pressed on the page shows up as RECORDING and as both body cams confirmed on its live
// stream, how fast GET /api/status answers, and how heavy the page is. Run after `npm run build`.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dist = new URL("../dist/", import.meta.url);
const load = (p) => import(new URL(p, dist).href);

function http(url, opts = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Subscribe to the page's SSE stream; `waitFor(pred)` resolves with performance.now() of the first match. */
function stream(url) {
  const waiters = [];
  const req = request(url, (res) => {
    let buf = "";
    res.setEncoding("utf8");
    res.on("data", (chunk) => {
      const at = performance.now();
      buf += chunk;
      let end = buf.indexOf("\n\n");
      while (end >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        end = buf.indexOf("\n\n");
        const data = frame.split("\n").find((l) => l.startsWith("data: "));
        if (!data) continue;
        const view = JSON.parse(data.slice(6));
        for (const w of [...waiters]) {
          if (w.pred(view)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(at);
          }
        }
      }
    });
  });
  req.end();
  return {
    waitFor: (pred) => new Promise((resolve) => waiters.push({ pred, resolve })),
    close: () => req.destroy(),
  };
}

const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x) => Math.round(x * 100) / 100;

export async function run() {
  const { validateConfig } = await load("config/load.js");
  const { Daemon } = await load("daemon/daemon.js");
  const { silentLogger } = await load("core/logger.js");
  const { systemClock } = await load("core/clock.js");
  const { ReferenceBodycam } = await load("bodycam/reference-bodycam.js");
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-page-"));
  const r = validateConfig({
    vehicle: { id: "bench1" },
    dataDir: dir,
    activation: { postRollSeconds: 0 },
    mqtt: { protocolVersion: 4, embeddedBroker: { enabled: true, port: 0 } },
    bodycams: {
      paired: [
        { id: "bc1", password: "bench-bc1" },
        { id: "bc2", password: "bench-bc2" },
      ],
    },
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
  await daemon.start();
  const { components } = daemon.status();
  const pageUrl = components["status-page"].url;
  const cams = ["bc1", "bc2"].map(
    (id) =>
      new ReferenceBodycam({
        id,
        vehicleId: "bench1",
        url: components["bodycam-sync"].embeddedBroker,
        password: `bench-${id}`,
      }),
  );
  await Promise.all(cams.map((c) => c.start()));
  const sse = stream(`${pageUrl}api/events`);
  await sse.waitFor((v) => v.bodycams.length === 2 && v.bodycams.every((b) => b.online));

  // The page as the kiosk opens it: from the launch link in the data dir (sets the session cookie).
  const opened = await http(readFileSync(join(dir, "status-page.url"), "utf8").trim());
  const cookie = (opened.headers["set-cookie"]?.[0] ?? "").split(";")[0];
  const control = (action) =>
    http(`${pageUrl}api/control`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-camsync-request": "1", cookie },
      body: JSON.stringify({ action }),
    });
  const toRecording = [];
  const toConfirmed = [];
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 300)); // an officer's press, not right after the previous frame
    const recording = sse.waitFor((v) => v.recording.state === "active");
    const confirmed = sse.waitFor(
      (v) => v.recording.state === "active" && v.bodycams.every((b) => b.confirmed === true),
    );
    const t0 = performance.now();
    await control("start");
    toRecording.push((await recording) - t0);
    toConfirmed.push((await confirmed) - t0);
    const idle = sse.waitFor((v) => v.recording.state === "idle");
    await control("stop");
    await idle;
  }

  const gets = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await http(`${pageUrl}api/status`);
    gets.push(performance.now() - t0);
  }
  const page = await http(pageUrl);

  sse.close();
  await Promise.all(cams.map((c) => c.stop()));
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });

  const fig = (key, label, value, unit, target, meets) => ({
    key,
    label,
    value: round(value),
    unit,
    target,
    meets,
  });
  const startP50 = pct(toRecording, 50);
  const confirmP99 = pct(toConfirmed, 99);
  const getP99 = pct(gets, 99);
  return {
    name: "Status page",
    figures: [
      fig(
        "start-to-recording-p50",
        "Start on the page → RECORDING on its live stream, p50",
        startP50,
        "ms",
        "≤ 100 ms",
        startP50 <= 100,
      ),
      fig(
        "start-to-confirmed-p50",
        "Start on the page → both body cams confirmed on the page, p50",
        pct(toConfirmed, 50),
        "ms",
        "—",
        null,
      ),
      fig(
        "start-to-confirmed-p99",
        "Start on the page → both body cams confirmed on the page, p99",
        confirmP99,
        "ms",
        "≤ 1000 ms",
        confirmP99 <= 1000,
      ),
      fig("status-get-p50", "GET /api/status (new connection each), p50", pct(gets, 50), "ms", "—", null),
      fig(
        "status-get-p99",
        "GET /api/status (new connection each), p99",
        getP99,
        "ms",
        "≤ 20 ms",
        getP99 <= 20,
      ),
      fig(
        "page-bytes",
        "Page weight (HTML with inline CSS and JS, no other requests)",
        page.body.length / 1024,
        "KiB",
        "≤ 64 KiB",
        page.body.length <= 64 * 1024,
      ),
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  run().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
