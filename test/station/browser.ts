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

/** Largest difference between the angles' positions on the common clock (ms), among those with footage. */
export function spreadMs(states: AngleState[]): number {
  const ats = states.filter((s) => !s.outside).map((s) => s.at);
  return ats.length === 0 ? 0 : Math.max(...ats) - Math.min(...ats);
}
