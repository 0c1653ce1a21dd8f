import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/logger.js";
import { Daemon } from "../../src/daemon/daemon.js";
import type { StatusView } from "../../src/statuspage/status-view.js";
import { type DemoProcess, startDemo } from "../demo/demo-process.js";
import { repoRoot } from "../support/cli.js";
import { httpRequest } from "./http-client.js";

/**
 * The status page in headless Chromium (Debian's `chromium` + playwright-core) against the whole demo:
 * the real daemon, the embedded broker and two reference body cams. Writes test-artifacts/status-page.png.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`skipping the status page browser test: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

const ARTIFACTS = join(repoRoot, "test-artifacts");

let demo: DemoProcess | undefined;
let browser: Browser | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  await browser?.close();
  await demo?.cleanup();
  for (const c of cleanups.reverse()) await c();
});

async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return browser;
}

describe.skipIf(!haveChromium)("status page in Chromium", () => {
  it("loads, starts an event on Start, shows it recording with both body cams confirmed, stops on a double tap", async () => {
    demo = await startDemo();
    await demo.line(/^state=idle .*cams=bc1:online,bc2:online/);
    const browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console error: ${m.text()}`); // CSP violations, failed requests
    });

    // The kiosk opens the launch link (the page session): redirected to the bare page, cookie set.
    await page.goto(demo.pageControlUrl);
    expect(page.url()).toBe(demo.pageUrl);
    await page.locator("#state", { hasText: "NOT RECORDING" }).waitFor({ timeout: 10_000 });
    await page.locator("#bodycams li", { hasText: "ONLINE" }).nth(1).waitFor({ timeout: 10_000 });
    expect(await page.locator("#link").textContent()).toBe("LIVE");

    // Made for a 1024×768 touchscreen at night: nothing scrolls, big buttons, a dark page.
    const layout = await page.evaluate(() => ({
      overflow: document.documentElement.scrollHeight - window.innerHeight,
      buttons: [...document.querySelectorAll("button")].map((b) => b.getBoundingClientRect().height),
      background: getComputedStyle(document.body).backgroundColor,
    }));
    expect(layout.overflow).toBeLessThanOrEqual(0);
    for (const h of layout.buttons) expect(h).toBeGreaterThanOrEqual(64);
    expect(layout.background).toBe("rgb(5, 8, 12)");

    await page.click("#btn-start");
    await page.locator("#message", { hasText: "Recording started" }).waitFor({ timeout: 5000 });
    await page.locator("#state", { hasText: /^RECORDING$/ }).waitFor({ timeout: 5000 });
    await page.locator('#bodycams li[data-confirmed="true"]').nth(1).waitFor({ timeout: 10_000 });
    expect(await page.locator("#bodycams li", { hasText: "CONFIRMED" }).count()).toBe(2);
    await page.locator("#elapsed", { hasText: "00:00:02" }).waitFor({ timeout: 5000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "status-page.png") });

    const view = JSON.parse((await httpRequest(`${demo.pageUrl}api/status`)).body) as StatusView;
    expect(view.recording).toMatchObject({ state: "active", origin: "cli:status-page" });
    expect(await page.locator("#event-id").textContent()).toBe(`Event ${view.recording.eventId}`);

    // Stop needs a second tap: the first only arms it.
    await page.click("#btn-stop");
    expect(await page.locator("#btn-stop").textContent()).toBe("TAP TO CONFIRM");
    expect(await page.locator("#state").textContent()).toBe("RECORDING");
    await page.click("#btn-stop");
    await page.locator("#state", { hasText: "POST-ROLL" }).waitFor({ timeout: 5000 });
    await page.locator("#recent li", { hasText: "Stopping (post-roll" }).waitFor({ timeout: 5000 });

    expect(problems).toEqual([]);
    expect(await demo.quit()).toBe(0);
  }, 90_000);

  it("passes the token from its address to the live stream and the buttons", async () => {
    const dir = mkdtempSync(join(tmpdir(), "camsync-page-token-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const token = "mdt-token-0123456789abcdef";
    const r = validateConfig({
      vehicle: { id: "unit12", name: "Unit 12" },
      dataDir: dir,
      mqtt: { embeddedBroker: { enabled: true, port: 0 } },
      control: { statusPage: { port: 0, token } },
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
    cleanups.push(() => daemon.stop());
    const url = (daemon.status().components as Record<string, { url?: string }>)["status-page"]?.url;
    const page = await (await launch()).newPage({ viewport: { width: 1024, height: 768 } });

    expect((await page.goto(url ?? ""))?.status()).toBe(401);
    await page.goto(`${url}?token=${token}`);
    await page.locator("#link", { hasText: "LIVE" }).waitFor({ timeout: 5000 });
    expect(await page.locator("#vehicle").textContent()).toBe("Unit 12 · unit12");
    await page.click("#btn-start");
    await page.locator("#state", { hasText: /^RECORDING$/ }).waitFor({ timeout: 5000 });
    expect(daemon.status()).toMatchObject({ state: "active", origin: { kind: "cli", id: "status-page" } });
    await page.close();
  }, 30_000);
});
