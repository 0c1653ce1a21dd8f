import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/logger.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { httpRequest } from "../statuspage/http-client.js";

/**
 * A real daemon (ffmpeg test-pattern cameras, 1 s segments, the status page on an ephemeral loopback port)
 * for the review tests, with helpers to record events and feed the vehicle signals and GPS fixes the
 * journal logs for them.
 */
export interface ReviewDaemon {
  daemon: Daemon;
  dataDir: string;
  url: string;
  /** This start's launch link (`{dataDir}/status-page.url`): opening it gives the page session. */
  launchUrl: string;
  /** The page session's cookie (`name=value`), as the launch link sets it, for POSTs without a token. */
  pageCookie(): Promise<string>;
  /** Start an event, feed speed/lights/GPS every 500 ms for `seconds`, stop; resolves when finalized. */
  record(seconds: number, reason: string): Promise<string>;
  /** Start an event and leave it recording; returns its id. */
  startRecording(reason: string): Promise<string>;
  feed(at: number, i: number): void;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startReviewDaemon(
  opts: { cameras?: string[]; token?: string; label?: string } = {},
): Promise<ReviewDaemon> {
  const dir = mkdtempSync(join(tmpdir(), `camsync-${opts.label ?? "review"}-`));
  const cameras = opts.cameras ?? ["front", "rear"];
  const r = validateConfig({
    vehicle: { id: "unit12", name: "Unit 12", officer: "D-0001" },
    dataDir: dir,
    activation: { preEventSeconds: 1, postRollSeconds: 1 },
    recorder: {
      segmentSeconds: 1,
      cameras: cameras.map((name) => ({
        name,
        input: { type: "test", toneHz: 1000 },
        video: { width: 320, height: 240, fps: 15, bitrateKbps: 300 },
        audio: { enabled: false },
      })),
      storage: { reserveMinutes: 0, minFreeBytes: 0, checkIntervalSeconds: 5 },
    },
    mqtt: { embeddedBroker: { enabled: true, port: 0 } },
    control: { statusPage: { port: 0, ...(opts.token ? { token: opts.token } : {}) } },
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
  const url = (daemon.status().components as Record<string, { url?: string }>)["status-page"]?.url ?? "";
  const feed = (at: number, i: number) => {
    daemon.bus.emit("signal", { name: "VehicleSpeed", value: 40 + i, unit: "km/h", at });
    daemon.bus.emit("signal", { name: "LightBar", value: i % 4 < 2 ? 1 : 0, at });
    daemon.bus.emit("gps", {
      at,
      lat: 48.137 + i * 0.0001,
      lon: 11.575 + i * 0.0001,
      speedKmh: 40 + i,
      courseDeg: 90,
      fix: "3d",
      satellites: 9,
      hdop: 0.9,
    });
  };
  const command = (kind: "start" | "stop", reason: string) =>
    daemon.bus.emit("command", { kind, origin: { kind: "cli", id: "test" }, at: Date.now(), reason });
  const startRecording = async (reason: string) => {
    command("start", reason);
    const id = daemon.status().eventId;
    if (typeof id !== "string") throw new Error("no event started");
    return id;
  };
  const launchUrl = readFileSync(join(dir, "status-page.url"), "utf8").trim();
  return {
    daemon,
    dataDir: dir,
    url,
    launchUrl,
    async pageCookie() {
      const opened = await httpRequest(launchUrl);
      return (opened.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "";
    },
    feed,
    startRecording,
    async record(seconds, reason) {
      const finalized = new Promise<string>((resolve) => {
        const off = daemon.bus.on("event-finalized", (e) => {
          off();
          resolve(e.eventId);
        });
      });
      await startRecording(reason);
      for (let i = 0; i < seconds * 2; i++) {
        feed(Date.now(), i);
        await sleep(500);
      }
      command("stop", "done");
      return finalized;
    },
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
