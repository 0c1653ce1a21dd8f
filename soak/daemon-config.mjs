// The daemon's configuration for the soak and the end-to-end bench: everything real except the hardware
// that cannot exist here (GPIO lines are simulated; the SLCAN adapter is a PTY; cameras are test patterns).
import { stringify } from "yaml";
import { speedSignal } from "./can-feed.mjs";

export const SPEED_RULE = { name: "speeding", threshold: 60, clearBelow: 50 };
export const LONG_PRESS_MS = 1500;

/**
 * @param {{ vehicleId: string, dataDir: string, mqttUrl: string, mqttTls: { caFile: string, certFile: string, keyFile: string },
 *           canDevice: string, bodycams: string[], cameras?: number,
 *           minFreeBytes?: number, statusPagePort?: number, preEventSeconds?: number, postRollSeconds?: number, logLevel?: string }} o
 */
export function daemonConfig(o) {
  const config = {
    vehicle: { id: o.vehicleId, name: "Soak car", officer: "S-0001" },
    dataDir: o.dataDir,
    log: { level: o.logLevel ?? "info" },
    activation: {
      preEventSeconds: o.preEventSeconds ?? 5,
      postRollSeconds: o.postRollSeconds ?? 3,
      stopOn: "manual",
    },
    inputs: {
      gpio: [
        { name: "lightbar", role: "lightbar", backend: "simulated", debounceMs: 50 },
        { name: "button", role: "button", backend: "simulated", debounceMs: 50, longPressMs: LONG_PRESS_MS },
      ],
    },
    vehicleBus: {
      enabled: true,
      source: { type: "slcan", path: o.canDevice, reconnect: { initialMs: 250, maxMs: 1000 } },
      signals: [speedSignal],
      rules: [
        {
          name: SPEED_RULE.name,
          signal: "speed",
          op: "above",
          threshold: SPEED_RULE.threshold,
          clearBelow: SPEED_RULE.clearBelow,
        },
      ],
    },
    recorder: {
      segmentSeconds: 1,
      cameras: Array.from({ length: o.cameras ?? 2 }, (_, i) => ({
        name: ["front", "cabin", "rear", "side"][i] ?? `cam${i}`,
        input: { type: "test", pattern: i % 2 ? "smptebars" : "testsrc2" },
        video: { width: 320, height: 240, fps: 10, bitrateKbps: 200 },
        audio: { enabled: true, bitrateKbps: 32 },
      })),
      storage: {
        reserveMinutes: 0,
        ...(o.minFreeBytes !== undefined ? { minFreeBytes: o.minFreeBytes } : {}),
        checkIntervalSeconds: 2,
      },
    },
    mqtt: { url: o.mqttUrl, username: "camsync", ...o.mqttTls, keepaliveSeconds: 5 },
    bodycams: {
      paired: o.bodycams.map((id) => ({ id })),
      confirmTimeoutMs: 3000,
    },
    control: {
      statusPage:
        o.statusPagePort === undefined
          ? { enabled: false }
          : { enabled: true, host: "127.0.0.1", port: o.statusPagePort },
    },
  };
  return stringify(config);
}
