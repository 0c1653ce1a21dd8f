import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** Headless Chromium (Debian's `chromium` + playwright-core), as test/statuspage/browser.test.ts uses it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`skipping the station browser tests: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}

export interface AngleState {
  label: string;
  /** Where the video is on the station's time axis: its start + currentTime (epoch ms). */
  at: number;
  currentTime: number;
  paused: boolean;
  outside: boolean;
  readyState: number;
}

/** Every angle's video state on the incident page. */
export function angleStates(page: Page): Promise<AngleState[]> {
  return page.$$eval(".angle", (tiles) =>
    tiles.map((tile) => {
      const v = tile.querySelector("video") as HTMLVideoElement;
      return {
        label: tile.querySelector(".label")?.textContent ?? "",
        at: Number(v.dataset.startMs) + v.currentTime * 1000,
        currentTime: v.currentTime,
        paused: v.paused,
        outside: tile.classList.contains("outside"),
        readyState: v.readyState,
      };
    }),
  );
}

/**
 * Until the incident page's angles (at least one) satisfy `cond`, polled through `angleStates`: playback and
 * seeking take their time in Chromium, more so on a loaded machine, so a test waits for the state it then
 * checks instead of a fixed time.
 */
export async function untilAngles(
  page: Page,
  what: string,
  cond: (states: AngleState[]) => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await angleStates(page);
    if (states.length > 0 && cond(states)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(states)}`);
    await page.waitForTimeout(50);
  }
}

/** Largest difference between the angles' positions on the common clock (ms), among those with footage. */
export function spreadMs(states: AngleState[]): number {
  const ats = states.filter((s) => !s.outside).map((s) => s.at);
  return ats.length === 0 ? 0 : Math.max(...ats) - Math.min(...ats);
}
