import { createHash, createPublicKey } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";
import { angleStates, haveChromium, launchChromium, spreadMs, untilAngles } from "./browser.js";
import { EVENT_ID, makeVideo, STATION_KEY, startFixtureStation } from "./station-api-fixture.js";

/**
 * The station's pages in headless Chromium against the Station API answered from fixed data (real MP4
 * files): sign-in, search, the incident player (one clock for every angle), map, fleet, and the
 * station's export-signing key (at the foot of every signed-in page and on /station-key).
 */
const ARTIFACTS = join(repoRoot, "test-artifacts");

describe.skipIf(!haveChromium)("station web pages in Chromium", () => {
  let media: string;
  let station: Awaited<ReturnType<typeof startFixtureStation>>;
  let browser: Browser;

  beforeAll(async () => {
    media = mkdtempSync(join(tmpdir(), "camsync-web-"));
    makeVideo(join(media, "front.mp4"), "front", 30, "640x360");
    makeVideo(join(media, "bc1.mp4"), "bc1", 15);
    makeVideo(join(media, "bc2.mp4"), "bc2", 12);
    station = await startFixtureStation(media);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => station?.server.close(r));
    rmSync(media, { recursive: true, force: true });
  });

  it("sends a visitor without a session to the sign-in page, refuses a wrong password, then returns to the page asked for", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // A Content-Security-Policy violation (an inline style or script the policy does not allow) is a console error.
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
    });
    await page.goto(`${station.url}/fleet`);
    expect(new URL(page.url()).pathname).toBe("/signin");
    expect(await page.locator("#station-key").count()).toBe(0); // signed-in pages only
    await page.fill("#name", "alice");
    await page.fill("#password", "wrong password");
    await page.click("#submit");
    await page.locator("#message", { hasText: "wrong name or password" }).waitFor({ timeout: 5000 });
    await page.fill("#password", "correct horse battery");
    await page.click("#submit");
    await page.waitForURL(`${station.url}/fleet`);
    await page.locator("#fleet tr").nth(1).waitFor({ timeout: 5000 });
    const rows = await page.$$eval("#fleet tr", (trs) => trs.map((tr) => tr.textContent ?? ""));
    expect(rows[0]).toMatch(/unit12.*online.*RECORDING.*1 waiting, oldest recorded 2 h ago$/);
    expect(rows[1]).toMatch(/unit7.*offline.*idle.*1 h ago\)0 waiting$/);
    await page.locator("#user", { hasText: "alice (supervisor)" }).waitFor({ timeout: 5000 });
    // The fingerprint of the key court exports are signed with is in the page as served (no request of its own).
    expect(await page.textContent("#station-key-fingerprint")).toBe(STATION_KEY.fingerprint);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("finds the incident by officer, plays every angle from one clock, stays in sync after seeks, draws the track", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // A Content-Security-Policy violation (an inline style or script the policy does not allow) is a console error.
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
    });
    await page.goto(`${station.url}/signin?next=/search`);
    await page.fill("#name", "alice");
    await page.fill("#password", "correct horse battery");
    await page.click("#submit");
    await page.waitForURL(`${station.url}/search`);
    expect(await page.textContent("#station-key-fingerprint")).toBe(STATION_KEY.fingerprint);
    // Paging: the first page has a cursor; Next follows it, Previous goes back.
    await page.locator("#results tr").first().waitFor({ timeout: 5000 });
    expect(await page.locator("#results tr").allTextContents()).toEqual([expect.stringMatching(/unit12/)]);
    await page.click("#next");
    await page.waitForURL(/after=p2/);
    await page.locator("#results tr", { hasText: "unit7" }).waitFor({ timeout: 5000 });
    expect(await page.isDisabled("#next")).toBe(true);
    await page.click("#prev");
    await page.locator("#results tr", { hasText: "unit12" }).waitFor({ timeout: 5000 });
    await page.fill("#f-officer", "D-9999");
    await page.click("button[type=submit]");
    await page.locator("#status", { hasText: "No events match." }).waitFor({ timeout: 5000 });
    expect(station.requests).toContain("GET /api/events?officer=D-9999&limit=25");
    await page.fill("#f-officer", "D-0001");
    await page.click("button[type=submit]");
    await page.locator("#results tr").first().waitFor({ timeout: 5000 });
    expect(await page.locator("#results tr").first().textContent()).toMatch(
      /unit12.*D-0001.*lightbar.*traffic-stop.*2026-00417/,
    );

    await page.click(`#results a[href="/incidents/${EVENT_ID}"]`);
    await page.waitForURL(`${station.url}/incidents/${EVENT_ID}`);
    await page.locator(".angle video").nth(2).waitFor({ timeout: 5000 });
    expect(await page.locator(".angle .label").allTextContents()).toEqual([
      "front unit12",
      "bc1 · D-0001 body cam",
      "bc2 · D-0002 linked by time",
    ]);
    // Seek to 10:00:06 (every angle has footage) and let it play: one clock for all three.
    await page.evaluate(() =>
      (window as unknown as { camsyncPlayer: { seek(t: number): void } }).camsyncPlayer.seek(
        Date.parse("2026-12-04T10:00:06.000Z"),
      ),
    );
    let states = await angleStates(page);
    expect(states.every((s) => !s.outside)).toBe(true);
    expect(spreadMs(states)).toBeLessThanOrEqual(500);
    // Until every angle plays past 10:00:06.5 (not a fixed time: a loaded machine starts them late).
    await untilAngles(
      page,
      "every angle playing past 10:00:06.5",
      (s) =>
        s.every((a) => !a.paused) && Math.min(...s.map((a) => a.at)) > Date.parse("2026-12-04T10:00:06.500Z"),
    );
    states = await angleStates(page);
    expect(states.every((s) => !s.paused)).toBe(true);
    expect(Math.min(...states.map((s) => s.at))).toBeGreaterThan(Date.parse("2026-12-04T10:00:06.500Z"));
    expect(spreadMs(states)).toBeLessThanOrEqual(500);
    // Back to 09:59:55 with the keyboard slider: only the car has footage; the body cams say so.
    await page.evaluate(() =>
      (window as unknown as { camsyncPlayer: { seek(t: number): void } }).camsyncPlayer.seek(
        Date.parse("2026-12-04T09:59:55.000Z"),
      ),
    );
    states = await angleStates(page);
    expect(states.map((s) => s.outside)).toEqual([false, true, true]);
    await page.keyboard.press("ArrowRight"); // +5 s → 10:00:00+: bc1 still outside (starts 10:00:02)
    await page.keyboard.press("ArrowRight"); // → 10:00:05+: all three
    await untilAngles(page, "every angle inside its footage", (s) => s.every((a) => !a.outside));
    states = await angleStates(page);
    expect(states.map((s) => s.outside)).toEqual([false, false, false]);
    expect(spreadMs(states)).toBeLessThanOrEqual(500);

    // The map: the whole track as a polyline of every fix, a grid scale, the position marker.
    const track = await page.getAttribute("#track", "points");
    expect(track?.split(" ")).toHaveLength(31);
    expect(await page.locator("#map text", { hasText: /\d+ m \(grid\)/ }).count()).toBe(1);
    expect(await page.locator("#map-position").count()).toBe(1);
    expect(await page.locator("#strip polyline").count()).toBe(1);
    expect(await page.locator("#strip rect").count()).toBe(1); // lights on 10:00:00–10:00:16
    expect(await page.locator("#timeline li").count()).toBe(7);
    expect(await page.textContent("#station-key-fingerprint")).toBe(STATION_KEY.fingerprint);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "station-incident.png") });
    // A clip linked by time can be unlinked (the API decides who may); once the API answers, the page
    // reloads to show the incident as it now is. Wait for that reload: a screenshot or a navigation
    // started while it runs fails ("Unable to capture screenshot", "interrupted by another navigation").
    const unlink = page.waitForRequest((r) => r.method() === "DELETE");
    const reloaded = page.waitForEvent("load");
    await page.click("text=Unlink bc2");
    expect((await unlink).url()).toBe(
      `${station.url}/api/incidents/${EVENT_ID}/clips/20261204T100005Z-bc2-0b0b`,
    );
    await reloaded;
    expect(station.requests.filter((r) => r === `GET /incidents/${EVENT_ID}`)).toHaveLength(2);
    await page.locator("#timeline li").nth(6).waitFor({ timeout: 5000 });
    expect(errors).toEqual([]);
    await page.goto(`${station.url}/search?officer=D-0001`);
    await page.locator("#results tr").first().waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(ARTIFACTS, "station-search.png") });

    // The footer links to the whole public key; its fingerprint, computed here from the PEM on the page,
    // is the one every page shows, and the PEM download is the same key.
    await page.click("#station-key a");
    await page.waitForURL(`${station.url}/station-key`);
    const pem = `${await page.textContent("#signing-key-pem")}\n`;
    expect(pem).toBe(STATION_KEY.publicPem);
    const der = createPublicKey(pem).export({ type: "spki", format: "der" });
    expect(await page.textContent("#signing-key-fingerprint")).toBe(
      createHash("sha256").update(der).digest("hex"),
    );
    const download = await page.request.get(`${station.url}/station-key.pub.pem`);
    expect(download.status()).toBe(200);
    expect(await download.text()).toBe(STATION_KEY.publicPem);
    const anonymous = await fetch(`${station.url}/station-key.pub.pem`, { redirect: "manual" });
    expect([anonymous.status, anonymous.headers.get("location")]).toEqual([
      303,
      "/signin?next=%2Fstation-key.pub.pem",
    ]);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
