#!/usr/bin/env node
// The station's incident page against the whole demo (`camsync demo`: the car, two body cams recording
// real clips, the embedded bucket and `camsync station`): light bar on, a few seconds, manual stop, wait
// until the station lists the incident with both clips, then in headless Chromium open the incident page
// at an instant every angle covers and time from navigation start to every angle playing (each video
// unpaused, with frames, its currentTime advancing). Ten page loads; p50 and worst. Run after `npm run build`.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const LOADS = 10;

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

/** `camsync demo --no-tty` with every port free; `line(re)` resolves with the first matching stdout line. */
function startDemo(dataDir) {
  const child = spawn(
    process.execPath,
    [
      join(root, "dist/app/camsync.mjs"),
      "demo",
      "--no-tty",
      "--data-dir",
      dataDir,
      "--mqtt-port",
      "0",
      "--http-port",
      "0",
      "--station-port",
      "0",
      "--duration",
      "600",
    ],
    { cwd: tmpdir(), stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = [];
  const waiters = [];
  let buf = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    buf += chunk;
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise((r) => child.once("exit", r));
  return {
    keys: (k) => child.stdin.write(k),
    mark: () => lines.length,
    line: (re, timeoutMs = 60_000, from = 0) => {
      const seen = lines.slice(from).find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`demo: no line ${re} in ${timeoutMs} ms:\n${lines.join("\n")}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
      });
    },
    async stop() {
      if (child.exitCode === null) {
        child.stdin.write("q");
        const t = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x) => Math.round(x * 10) / 10;

export async function run() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  const { chromium } = await import("playwright-core");
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-station-"));
  const demo = startDemo(join(dir, "var"));
  let browser;
  try {
    const stationLine = await demo.line(/^ {2}station: +http/);
    const m = /(http:\/\/\S+) \(sign in as (\S+) \/ (\S+)\)/.exec(stationLine);
    if (!m) throw new Error(`no station URL in: ${stationLine}`);
    const [, base, user, password] = m;
    await demo.line(/^state=idle .*cams=bc1:online,bc2:online/);
    demo.keys("l");
    await demo.line(/^state=active .*cams=bc1:confirmed,bc2:confirmed/);
    await new Promise((r) => setTimeout(r, 8000));
    const mark = demo.mark();
    demo.keys("B");
    await demo.line(/^state=idle /, 60_000, mark);

    const session = await http(`${base}api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: user, password }),
    });
    const cookie = String(session.headers["set-cookie"]).split(";")[0];
    let incident;
    const deadline = Date.now() + 120_000;
    while (!incident) {
      const r = JSON.parse((await http(`${base}api/events?limit=5`, { headers: { cookie } })).body);
      const e = r.items?.find((x) => x.clipCount >= 2);
      if (e)
        incident = JSON.parse(
          (await http(`${base}api/incidents/${e.eventId}`, { headers: { cookie } })).body,
        );
      else if (Date.now() > deadline)
        throw new Error(`the station did not list the incident with both clips: ${JSON.stringify(r)}`);
      else await new Promise((r) => setTimeout(r, 1000));
    }
    const starts = [
      ...incident.files.map((f) => Date.parse(f.startedAt)),
      ...incident.clips.map((c) => Date.parse(c.alignedStart)),
    ];
    const at = Math.max(...starts) + 1000; // every angle has footage here
    const angleCount = incident.files.length + incident.clips.reduce((n, c) => n + c.files.length, 0);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const [name, value] = cookie.split("=");
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    const times = [];
    for (let i = 0; i < LOADS + 1; i++) {
      await page.goto(`${base}incidents/${incident.event.eventId}?t=${at}`);
      // In the page: poll each animation frame until every angle plays; ms since navigation start.
      const ms = await page.evaluate(
        (n) =>
          new Promise((resolve, reject) => {
            const seen = new Map();
            const timeout = setTimeout(() => reject(new Error("angles not all playing within 15 s")), 15_000);
            const check = () => {
              const videos = [...document.querySelectorAll(".angle video")];
              const playing =
                videos.length === n &&
                videos.every((v) => {
                  const prev = seen.get(v);
                  seen.set(v, v.currentTime);
                  return !v.paused && v.readyState >= 3 && prev !== undefined && v.currentTime > prev;
                });
              if (playing) {
                clearTimeout(timeout);
                resolve(performance.now());
              } else requestAnimationFrame(check);
            };
            check();
          }),
        angleCount,
      );
      if (i > 0) times.push(ms); // the first load warms Chromium's media stack
    }
    return {
      name: "Station: incident page to all angles playing",
      figures: [
        {
          key: "station-incident-playing-p50",
          label: `Incident page → all ${angleCount} angles playing, p50 of ${LOADS} loads`,
          value: round(pct(times, 50)),
          unit: "ms",
          target: "≤ 1000",
          meets: pct(times, 50) <= 1000,
        },
        {
          key: "station-incident-playing-max",
          label: `Incident page → all ${angleCount} angles playing, worst of ${LOADS} loads`,
          value: round(Math.max(...times)),
          unit: "ms",
          target: "≤ 1000",
          meets: Math.max(...times) <= 1000,
        },
      ],
    };
  } finally {
    await browser?.close();
    await demo.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run();
  console.log(JSON.stringify(r, null, 2));
}
