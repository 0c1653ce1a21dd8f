import { createHash, createPublicKey } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { S3ServerProcess } from "../evidence/s3-server.js";
import { CliProcess, repoRoot, runCli } from "../support/cli.js";
import { angleStates, haveChromium, launchChromium, spreadMs, untilAngles } from "./browser.js";
import { freePort, PatrolCar, writeS3Credentials } from "./patrol-fleet.js";

/**
 * The whole chain with real processes: two cars (`camsync run`, two daemons) and two body cams
 * (`camsync bodycam --clips --dock`) record incidents → the cars offload and the cams dock to s3rver →
 * `camsync station` ingests (re-hashing every object) → headless Chromium signs in, finds an incident
 * by officer, plays every angle in sync after seeks and shows the map track. Screenshots of the search
 * and incident pages go to docs/images/ (1280×800).
 */
const IMAGES = join(repoRoot, "docs", "images");
const cleanups: (() => Promise<unknown> | unknown)[] = [];
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!haveChromium)(
  "station end to end (two cars, two body cams, s3rver, station, Chromium)",
  () => {
    it("finds each car's incident by officer and plays the car camera and the body cam from one clock, with the map track", async () => {
      const dir = mkdtempSync(join(tmpdir(), "camsync-e2e-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const s3 = new S3ServerProcess();
      cleanups.push(() => s3.dispose());
      await s3.start();
      const creds = writeS3Credentials(join(dir, "s3.json"));
      const bucket = { endpoint: s3.endpoint, bucket: "evidence", credentialsFile: creds };
      const cars = [
        new PatrolCar({ vehicleId: "unitA", officer: "D-0001", camId: "bc1" }, dir, bucket),
        new PatrolCar({ vehicleId: "unitB", officer: "D-0002", camId: "bc2" }, dir, bucket),
      ];
      for (const car of cars) cleanups.push(() => car.shutdown());
      await Promise.all(cars.map((c) => c.start()));

      // Emergency lights on in both cars (CAN): each car and its body cam record; the officers stop later.
      const eventIds = await Promise.all(cars.map((c) => c.lightsOn()));
      await new Promise((r) => setTimeout(r, 8000));
      await Promise.all(cars.map((c, i) => c.stop(eventIds[i] as string)));

      // The station: its own account, then the server on a free port, ingesting the bucket.
      const port = await freePort();
      const stationDir = join(dir, "station");
      mkdirSync(stationDir, { recursive: true });
      const config = join(dir, "station.yaml");
      // Fleet status: the station reads car B's broker with its own read-only identity (the client id is
      // the identity, so it could not share the car's), as a fleet bridge would hand it the status topics.
      const mqttPassword = join(dir, "mqtt-password");
      writeFileSync(mqttPassword, cars[1]?.observerPassword ?? "", { mode: 0o600 });
      writeFileSync(
        config,
        `station:
  dataDir: ${stationDir}
  storage:
    s3: { endpoint: ${s3.endpoint}, bucket: evidence, credentialsFile: ${creds} }
  http: { host: 127.0.0.1, port: ${port} }
  ingest: { scanIntervalSeconds: 1 }
  mqtt: { url: "${cars[1]?.brokerUrl}", username: station, passwordFile: ${mqttPassword} }
`,
      );
      const add = runCli(["station", "user", "add", "sergeant", "--role", "viewer", "--config", config], {
        input: "correct horse battery\n",
      });
      expect(add.code, add.stderr).toBe(0);
      const station = new CliProcess(["station", "--config", config]);
      cleanups.push(() => station.stop("SIGTERM"));
      await station.waitFor((l) => l.msg === "station: listening", 30_000, "station listening");
      const base = `http://127.0.0.1:${port}`;

      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${base}/search`);
      expect(new URL(page.url()).pathname).toBe("/signin"); // no anonymous access
      await page.fill("#name", "sergeant");
      await page.fill("#password", "correct horse battery");
      await page.click("#submit");
      await page.waitForURL(`${base}/search`);
      // The station's export-signing key, generated on first start: every signed-in page shows its fingerprint.
      const der = createPublicKey(readFileSync(join(stationDir, "station-key.pub.pem"))).export({
        type: "spki",
        format: "der",
      });
      expect(await page.textContent("#station-key-fingerprint")).toBe(
        createHash("sha256").update(der).digest("hex"),
      );

      // Find car B's incident by its officer (ingest may still be verifying: search again until it is there).
      const deadline = Date.now() + 60_000;
      for (;;) {
        await page.fill("#f-officer", "D-0002");
        await page.click("button[type=submit]");
        await page.waitForLoadState("load");
        await page.waitForFunction(() => document.querySelector("#status")?.textContent !== "Searching…");
        const rows = await page.locator("#results tr").allTextContents();
        if (rows.some((r) => r.includes("unitB") && r.includes("1 body"))) break;
        if (Date.now() > deadline)
          throw new Error(`incident not found by officer; rows: ${rows.join(" | ")}`);
        await page.waitForTimeout(1000);
      }
      const rows = await page.locator("#results tr").allTextContents();
      expect(rows).toHaveLength(1); // only car B's event has officer D-0002
      expect(rows[0]).toMatch(/unitB.*D-0002.*can:emergency-lights/);
      await page.screenshot({ path: join(IMAGES, "station-search.png") });

      await page.click(`#results a[href="/incidents/${eventIds[1]}"]`);
      await page.waitForURL(`${base}/incidents/${eventIds[1]}`);
      await page.locator(".angle video").nth(1).waitFor({ timeout: 10_000 });
      expect(await page.locator(".angle .label").allTextContents()).toEqual([
        "front unitB",
        "bc2 · D-0002 body cam",
      ]);
      const angles = (await page.evaluate(() =>
        (
          window as unknown as { camsyncPlayer: { angles(): { start: number; duration: number }[] } }
        ).camsyncPlayer.angles(),
      )) as { start: number; duration: number }[];
      // An instant both angles cover: 2 s into the body-cam clip.
      const both = Math.max(...angles.map((a) => a.start)) + 2000;
      for (const at of [both, both + 1500, both - 1000]) {
        await page.evaluate(
          (t) => (window as unknown as { camsyncPlayer: { seek(t: number): void } }).camsyncPlayer.seek(t),
          at,
        );
        let states = await angleStates(page);
        expect(states.every((s) => !s.outside)).toBe(true);
        expect(spreadMs(states)).toBeLessThanOrEqual(500);
        await untilAngles(page, "every angle playing", (s) => s.every((a) => !a.paused && a.readyState >= 2));
        states = await angleStates(page);
        expect(states.every((s) => !s.paused && s.readyState >= 2)).toBe(true);
        expect(spreadMs(states)).toBeLessThanOrEqual(500);
      }
      // The map: the replayed drive (eastwards) as a polyline of distinct points, the position marker;
      // the telemetry strip: speed, and the emergency lights as a band.
      const track = ((await page.getAttribute("#track", "points")) ?? "")
        .split(" ")
        .map((p) => p.split(",").map(Number));
      expect(track.length).toBeGreaterThan(4);
      const xs = track.map((p) => p[0] ?? 0);
      expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(100); // it moved across the map
      expect(xs.every((x, i) => i === 0 || x >= (xs[i - 1] ?? 0))).toBe(true); // eastwards, as driven
      expect(await page.locator("#strip polyline").count()).toBe(1);
      expect(await page.locator("#strip rect").count()).toBeGreaterThanOrEqual(1);
      expect(await page.locator("#map-position").count()).toBe(1);
      expect(await page.locator("#timeline li").count()).toBeGreaterThanOrEqual(3);
      await page.screenshot({ path: join(IMAGES, "station-incident.png") });
      expect(errors).toEqual([]);

      // The fleet view: car B online and idle again, seen just now, nothing left to upload.
      await page.goto(`${base}/fleet`);
      await page.locator("#fleet tr", { hasText: "unitB" }).waitFor({ timeout: 10_000 });
      expect(await page.locator("#fleet tr", { hasText: "unitB" }).textContent()).toMatch(
        /unitB\s*online\s*idle.*s ago\)0 waiting$/,
      );

      // Car A's incident is found by its officer too, with its own body cam.
      await page.goto(`${base}/search?officer=D-0001`);
      await page.locator("#results tr").first().waitFor({ timeout: 10_000 });
      expect(await page.locator("#results tr").allTextContents()).toEqual([
        expect.stringMatching(/unitA.*D-0001.*1 body/),
      ]);
    }, 300_000);
  },
);
