import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { httpRequest } from "../statuspage/http-client.js";
import { repoRoot, runCli } from "../support/cli.js";
import { type ReviewDaemon, startReviewDaemon } from "./review-daemon.js";

/**
 * The review tab in headless Chromium (Debian's `chromium` + playwright-core) on a real daemon with three
 * recorded events: list, synchronized playback and seeking, the telemetry cue, tagging with `camsync
 * verify` clean afterwards, and HLS playback of an event still recording. Screenshots go to docs/images/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`skipping the review browser test: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

const IMAGES = join(repoRoot, "docs", "images");
let rig: ReviewDaemon | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

interface Seg {
  startMs: number;
  durationMs: number;
}
/** Wall clock → media time of a file that plays its segments back to back (independent of the page's). */
function mediaTime(segs: readonly Seg[], wall: number): number {
  let t = 0;
  for (const s of segs) {
    if (wall < s.startMs) return t;
    if (wall < s.startMs + s.durationMs) return t + (wall - s.startMs) / 1000;
    t += s.durationMs / 1000;
  }
  return t;
}

describe.skipIf(!haveChromium)("review tab in Chromium", () => {
  it("lists 3 events, plays one in sync, seeks, shows telemetry, tags it (verify clean), plays a recording event via HLS", async () => {
    rig = await startReviewDaemon({ label: "review-browser" });
    await new Promise((r) => setTimeout(r, 2500));
    const ids = [];
    for (const reason of ["light bar on", "siren on", "crash sensor"]) ids.push(await rig.record(5, reason));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console error: ${m.text()}`);
    });

    // the kiosk opens the launch link (page session); the live page links to the review tab
    await page.goto(rig.launchUrl);
    await page.click("#review-link");
    await page.locator("#events tr.event").nth(2).waitFor({ timeout: 10_000 });
    expect(
      await page
        .locator("#events tr.event")
        .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id)),
    ).toEqual([...ids].reverse());
    expect(await page.locator("#events tr.event").first().textContent()).toContain("crash sensor");
    mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path: join(IMAGES, "review-list.png") });

    // play the oldest event: every camera advances from one clock
    const id = ids[0] ?? "";
    const detail = JSON.parse((await httpRequest(`${rig.url}api/review/events/${id}`)).body) as {
      media: { camera: string; segments: Seg[] }[];
    };
    await page.locator(`#events tr.event[data-id="${id}"]`).click();
    await page.locator("#videos video").nth(1).waitFor({ timeout: 5000 });
    await page.waitForFunction(
      () => [...document.querySelectorAll("video")].every((v) => v.readyState >= 2),
      null,
      {
        timeout: 10_000,
      },
    );
    await page.click("#play");
    await page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 1.2, null, {
      timeout: 10_000,
    });
    const times = await page
      .locator("#videos video")
      .evaluateAll((vs) => vs.map((v) => (v as HTMLVideoElement).currentTime));
    expect(Math.abs((times[0] ?? 0) - (times[1] ?? 0))).toBeLessThan(0.5);
    // the telemetry cue changes while it plays
    await page.waitForFunction(
      () => (document.getElementById("telemetry")?.textContent ?? "").includes("km/h"),
      null,
      {
        timeout: 10_000,
      },
    );
    const cue = await page.locator("#telemetry").textContent();
    await page.waitForFunction((c) => document.getElementById("telemetry")?.textContent !== c, cue, {
      timeout: 5000,
    });
    expect(await page.locator("#telemetry").textContent()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ · /);

    // a click on the timeline seeks every video to that moment
    const box = await page.locator("#timeline").boundingBox();
    if (!box) throw new Error("no timeline");
    const segs = detail.media.map((m) => m.segments);
    const from = Math.min(...segs.map((s) => s[0]?.startMs ?? Number.POSITIVE_INFINITY));
    const to = Math.max(...segs.map((s) => (s.at(-1)?.startMs ?? 0) + (s.at(-1)?.durationMs ?? 0)));
    await page.click("#play"); // pause, so the target stays put
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height / 2);
    const wall = from + 0.6 * (to - from);
    await page.waitForFunction(() => [...document.querySelectorAll("video")].every((v) => !v.seeking), null, {
      timeout: 5000,
    });
    const landed = await page
      .locator("#videos video")
      .evaluateAll((vs) => vs.map((v) => (v as HTMLVideoElement).currentTime));
    for (const [i, t] of landed.entries())
      expect(Math.abs(t - mediaTime(segs[i] ?? [], wall))).toBeLessThan(1);
    await page.screenshot({ path: join(IMAGES, "review-player.png") });

    // tag it through the control operations; the evidence still verifies
    await page.fill("#t-category", "traffic");
    await page.fill("#t-case", "2026-0042");
    await page.fill("#t-note", "reviewed in the car");
    await page.check("#t-critical");
    await page.click("#save-tags");
    await page.locator("#player-message", { hasText: "Saved" }).waitFor({ timeout: 5000 });
    expect((await verifyDataDir(rig.dataDir)).ok).toBe(true);
    const verify = runCli(["verify", rig.dataDir]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    // an event still recording plays through HLS
    const recording = await rig.startRecording("pursuit");
    for (let i = 0; i < 6; i++) {
      rig.feed(Date.now(), i);
      await new Promise((r) => setTimeout(r, 500));
    }
    await page.click("#back");
    await page
      .locator(`#events tr.event[data-id="${recording}"][data-state="recording"]`)
      .click({ timeout: 10_000 });
    await page.click("#play");
    await page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 1, null, {
      timeout: 15_000,
    });
    expect(await page.evaluate(() => document.querySelector("video")?.src.startsWith("blob:"))).toBe(true); // MSE (hls.js)

    // the live view shows each camera's preview picture, renewed a few times a second
    await page.click("#back");
    await page.locator('#live-cams button[data-camera="rear"]').click();
    await page.waitForFunction(
      () => (document.querySelector<HTMLImageElement>("#videos img")?.naturalWidth ?? 0) > 0,
    );
    const first = await page.evaluate(() => document.querySelector<HTMLImageElement>("#videos img")?.src);
    await page.waitForFunction(
      (f) => document.querySelector<HTMLImageElement>("#videos img")?.src !== f,
      first,
      {
        timeout: 5000,
      },
    );
    expect(
      await page.evaluate(() => document.querySelector<HTMLImageElement>("#videos img")?.naturalWidth),
    ).toBe(320);

    expect(problems).toEqual([]);
  }, 180_000);

  it("on a token-protected page passes the token from its address to the list, the media and the player library", async () => {
    const token = "review-token-0123456789abcdef";
    const t = await startReviewDaemon({ label: "review-browser-token", token, cameras: ["front"] });
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const id = await t.record(3, "light bar on");
      browser ??= await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu"],
      });
      const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`${m.text()} (${m.location().url})`);
      });
      expect((await httpRequest(`${t.url}review`)).status).toBe(401);
      page.on("response", (r) => {
        if (r.status() === 401) problems.push(`401 for ${r.url()}`);
      });
      await page.goto(`${t.url}review?token=${token}`);
      await page.locator(`#events tr.event[data-id="${id}"]`).click({ timeout: 10_000 });
      await page.click("#play");
      await page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0.5, null, {
        timeout: 10_000,
      });
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await t.stop();
    }
  }, 90_000);
});
