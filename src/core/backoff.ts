import { z } from "zod";
import { millis } from "../config/describe.js";

/** Retry delays: `initialMs`, doubling after each failure, capped at `maxMs`. */
export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
}

/**
 * The one backoff: the delay before retry number `failures` (0 = after the first failure). Every
 * reconnect and restart loop (serial links, candump, gpsd, gpiomon, GPIO lines, MQTT, ffmpeg, offload)
 * computes its wait here.
 */
export function backoffDelay(failures: number, cfg: BackoffConfig): number {
  return Math.min(cfg.maxMs, cfg.initialMs * 2 ** Math.min(Math.max(0, failures), 30));
}

/** The config section of one backoff (`{ initialMs, maxMs }`), with its defaults. */
export const backoffSchema = (what: string, initialMs: number, maxMs: number) =>
  z
    .strictObject({
      initialMs: millis(`First delay before ${what}, doubled after each failure.`, initialMs, 50, 60_000),
      maxMs: millis(`Longest delay between ${what} attempts.`, maxMs, 100, 300_000),
    })
    .describe(`Backoff for ${what}.`)
    .prefault({} as never);
