import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { BodycamClips } from "../bodycam/bodycam-clips.js";
import { ReferenceBodycam } from "../bodycam/reference-bodycam.js";
import type { Config } from "../config/schema.js";
import { type Clock, systemClock, type TimerHandle } from "../core/clock.js";
import { createLogger, type Logger } from "../core/logger.js";
import { VERSION } from "../core/version.js";
import { Daemon } from "../daemon/daemon.js";
import { ActivityLog } from "../statuspage/activity.js";
import { Readings } from "../statuspage/readings.js";
import { type StatusView, statusView } from "../statuspage/status-view.js";
import { type DemoAction, keyAction, pressHoldMs } from "./demo-keys.js";
import { DEMO_STATION_PORT } from "./demo-ports.js";
import { demoScreen, stateKey, stateLine } from "./demo-screen.js";
import type { DemoStation } from "./demo-station.js";
import { DEMO_BUCKET, DemoStorage } from "./demo-storage.js";

export interface DemoOptions {
  config: Config;
  /** Full-screen terminal UI with key bindings; false: one state line per change (scripts, tests). */
  tty: boolean;
  /** Stop by itself after this many seconds. */
  durationSeconds?: number | undefined;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  clock?: Clock;
  /** Run the station side too: the embedded bucket, clips docked to it, the station (default true). */
  station?: boolean;
  /** The station's port (0 = any free port; default 8090). */
  stationPort?: number;
}

export interface DemoUrls {
  page: string | null;
  /** The page's launch link (this start's session): a browser opened from it may Start / Mark / Stop. */
  pageControl: string | null;
  broker: string | null;
  log: string;
}

/** The status page's launch link, as the daemon wrote it (null when the page is off). */
function launchLink(path: string): string | null {
  try {
    return readFileSync(path, "utf8").trim() || null;
  } catch {
    return null;
  }
}
const BODYCAM_CONNECT_MS = 5000;

/**
 * The whole system on one machine: the real daemon (simulated inputs, test-pattern cameras, the CAN
 * replay and the embedded broker, as config/demo.yaml asks) and a reference body cam for every paired
 * one. Keys drive the simulated light bar, the in-car button and the body cams' own record buttons.
 */
export class Demo {
  readonly daemon: Daemon;
  readonly bodycams: ReferenceBodycam[] = [];
  /** Each body cam's clips (recorded while it records, docked to the demo bucket). */
  readonly clips: BodycamClips[] = [];
  readonly logPath: string;
  private readonly activity = new ActivityLog(20);
  private readonly readings = new Readings();
  private unsubscribe: (() => void)[] = [];
  private lights = false;
  private readonly clock: Clock;
  readonly log: Logger;

  constructor(
    private readonly config: Config,
    clock: Clock = systemClock,
    /** The embedded evidence bucket (the car offloads to it, the body cams dock to it); null: none. */
    readonly storage: DemoStorage | null = null,
  ) {
    this.clock = clock;
    this.logPath = join(config.dataDir, "camsync.log");
    this.log = createLogger({
      level: config.log.level,
      destination: pino.destination({ dest: this.logPath, sync: true, mkdir: true }),
    });
    this.daemon = new Daemon({ config, logger: this.log, clock, mode: "demo" });
  }

  /** Start the daemon, then the body cams (which need its broker). */
  async start(): Promise<DemoUrls> {
    this.unsubscribe = [this.activity, this.readings].map((r) =>
      r.subscribe((event, fn) => this.daemon.bus.on(event, fn)),
    );
    await this.daemon.start();
    const urls = this.urls();
    if (urls.broker) {
      for (const [i, cam] of this.config.bodycams.paired.entries()) {
        this.bodycams.push(
          new ReferenceBodycam({
            id: cam.id,
            vehicleId: this.config.vehicle.id,
            url: urls.broker,
            password: cam.password,
            battery: 92 - i * 17,
            clock: this.clock,
          }),
        );
      }
      if (this.storage) {
        for (const [i, cam] of this.bodycams.entries()) {
          const paired = this.config.bodycams.paired[i];
          this.clips.push(
            new BodycamClips(cam, this.config.vehicle.id, {
              dir: join(this.config.dataDir, "bodycams", cam.id),
              officer: paired?.name?.replace(/^Officer\s+/, "") ?? null,
              dock: this.storage.dockUrl,
              dockCredentialsFile: this.storage.credentialsFile,
              software: { name: "camsync", version: VERSION },
              clock: this.clock,
              report: (event, fields) => this.log.info({ bodycam: cam.id, ...fields }, `body cam ${event}`),
            }),
          );
        }
        await Promise.all(this.clips.map((c) => c.start()));
      }
      const started = await Promise.allSettled(this.bodycams.map((b) => b.start(BODYCAM_CONNECT_MS)));
      for (const r of started) {
        if (r.status === "rejected") this.log.warn({ err: r.reason }, "demo body cam not connected yet");
      }
    }
    return urls;
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await Promise.allSettled(this.clips.map((c) => c.stop()));
    await Promise.allSettled(this.bodycams.map((b) => b.stop()));
    await this.daemon.stop();
  }

  urls(): DemoUrls {
    const c = this.daemon.status().components;
    const { mqtt } = this.config;
    return {
      page: c["status-page"]?.url ?? null,
      pageControl: launchLink(join(this.config.dataDir, "status-page.url")),
      broker: c["bodycam-sync"]?.embeddedBroker ?? (mqtt.embeddedBroker.enabled ? null : mqtt.url),
      log: this.logPath,
    };
  }

  get lightsOn(): boolean {
    return this.lights;
  }

  view(): StatusView {
    const status = this.daemon.status();
    const eventId = status.eventId;
    return statusView({
      status,
      now: this.clock.now(),
      vehicleName: this.config.vehicle.name,
      bodycamNames: Object.fromEntries(this.config.bodycams.paired.map((c) => [c.id, c.name ?? c.id])),
      activity: this.activity.recent,
      confirmations: this.activity.confirmationsFor(eventId),
      eventReason: this.activity.reasonFor(eventId),
      signals: this.readings.signals,
      fix: this.readings.gps,
    });
  }

  /** Do what a key asks; returns a line for the screen. */
  async act(action: Exclude<DemoAction, { type: "quit" }>): Promise<string> {
    const inputs = this.config.inputs.gpio;
    switch (action.type) {
      case "lights": {
        const lightbar = inputs.find((i) => i.role === "lightbar");
        if (!lightbar) return "no light bar input in the config";
        const r = await this.daemon.control.dispatch({
          op: "simulate",
          input: lightbar.name,
          active: !this.lights,
        });
        if (!r.ok) return `light bar: ${r.error}`;
        this.lights = !this.lights;
        return `light bar ${this.lights ? "on" : "off"}`;
      }
      case "press": {
        const button = inputs.find((i) => i.role === "button");
        if (!button) return "no button input in the config";
        const holdMs = pressHoldMs(action.long, button.longPressMs);
        const r = await this.daemon.control.dispatch({ op: "press", input: button.name, holdMs });
        if (!r.ok) return `button: ${r.error}`;
        return action.long ? `button held ${holdMs} ms (long press: stop)` : "button pressed";
      }
      case "bodycam": {
        const cam = this.bodycams[action.index];
        if (!cam) return `no body cam ${action.index + 1}`;
        if (cam.recording) cam.pressStop();
        else cam.pressStart();
        return `${cam.id}: officer ${cam.recording ? "started" : "stopped"} recording`;
      }
    }
  }
}

/** Run the demo until `q`, a signal or the duration; returns the exit code. */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const clock = opts.clock ?? systemClock;
  const out = opts.stdout;
  const tty = opts.tty && opts.stdin.isTTY === true;
  if (opts.tty && !tty)
    out.write("camsync demo: stdin is not a terminal; printing state lines instead (--no-tty)\n");

  const storage = opts.station === false ? null : await DemoStorage.start(opts.config.dataDir);
  if (opts.station !== false && !storage)
    out.write("camsync demo: s3rver is not installed (npm ci installs it); running without the station\n");
  const config = storage ? withDemoOffload(opts.config, storage) : opts.config;
  const observer = config.mqtt.embeddedBroker.observers.find((o) => o.username === DEMO_FLEET_OBSERVER);
  const demo = new Demo(config, clock, storage);
  process.on("unhandledRejection", (err) =>
    demo.log.error({ err }, "unhandled promise rejection (the demo keeps running)"),
  );
  let urls: DemoUrls;
  try {
    urls = await demo.start();
  } catch (err) {
    out.write(`camsync demo: could not start: ${(err as Error).message} (log: ${demo.logPath})\n`);
    await demo.stop().catch(() => {});
    await storage?.stop();
    return 1;
  }
  let station: DemoStation | null = null;
  if (storage) {
    try {
      // Loaded only here: the station (database, ingest) is no part of the car's process otherwise.
      const { DemoStation } = await import("./demo-station.js");
      station = await DemoStation.start({
        dataDir: opts.config.dataDir,
        storage,
        log: demo.log,
        // The fleet view reads the car's status topics, as it would through the fleet bridge.
        ...(urls.broker && observer ? { mqtt: { url: urls.broker, ...observer } } : {}),
        port: opts.stationPort ?? DEMO_STATION_PORT,
      });
    } catch (err) {
      // The car side keeps running: a station fault never stops recording.
      demo.log.error({ err }, "demo station did not start");
      out.write(`camsync demo: the station did not start: ${(err as Error).message}\n`);
    }
  }
  const u = station?.user;
  const screenUrls = { ...urls, station: station?.url ?? null };
  out.write(
    [
      `camsync demo: vehicle ${opts.config.vehicle.id}, data in ${opts.config.dataDir}`,
      `  status page: ${urls.page ?? "(disabled)"}`,
      ...(urls.pageControl ? [`  page with controls (this start only): ${urls.pageControl}`] : []),
      `  MQTT broker: ${urls.broker ?? "(not running)"}`,
      `  control:     ${join(opts.config.dataDir, "control.sock")}`,
      `  evidence:    ${storage ? `${storage.dockUrl} (embedded s3rver; car offload and body-cam docks)` : "(no bucket)"}`,
      `  station:     ${station ? `${station.url} (sign in as ${u?.name} / ${u?.password})` : "(not running)"}`,
      `  log:         ${urls.log}`,
      "",
    ].join("\n"),
  );

  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let message = "";
  const handleKey = (key: string) => {
    const action = keyAction(key);
    if (!action) return;
    if (action.type === "quit") {
      finish();
      return;
    }
    demo.act(action).then(
      (m) => {
        message = m;
        if (!tty) out.write(`action: ${m}\n`);
      },
      (err: unknown) => {
        message = `failed: ${(err as Error).message}`;
      },
    );
  };

  const onData = (chunk: string) => {
    for (const key of chunk) handleKey(key);
  };
  opts.stdin.setEncoding("utf8");
  if (tty) opts.stdin.setRawMode(true);
  opts.stdin.on("data", onData);
  opts.stdin.resume();
  const onSignal = () => finish();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let lastKey = "";
  const draw = () => {
    const view = demo.view();
    if (tty) {
      const keys = { lights: demo.lightsOn, bodycams: demo.bodycams.map((b) => b.id) };
      out.write(`\x1b[H\x1b[2J${demoScreen(view, keys, screenUrls)}\n\n  ${message}\n`);
      return;
    }
    const key = stateKey(view);
    if (key !== lastKey) {
      lastKey = key;
      out.write(`${stateLine(view)}\n`);
    }
  };
  let terminalTaken = false;
  const restoreTerminal = () => {
    if (!terminalTaken) return;
    terminalTaken = false;
    opts.stdin.setRawMode(false);
    out.write("\x1b[?25h\x1b[?1049l");
  };
  if (tty) {
    terminalTaken = true;
    out.write("\x1b[?1049h\x1b[?25l");
    process.once("exit", restoreTerminal); // even when something crashes, give the terminal back
  }
  draw();
  const redraw: TimerHandle = clock.setInterval(draw, tty ? 500 : 250);
  const timeout =
    opts.durationSeconds !== undefined
      ? clock.setTimeout(() => finish(), opts.durationSeconds * 1000)
      : undefined;

  await finished;
  clock.clearInterval(redraw);
  clock.clearTimeout(timeout);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  opts.stdin.off("data", onData);
  restoreTerminal();
  process.off("exit", restoreTerminal);
  opts.stdin.pause();
  const last = demo.view();
  await demo.stop();
  await station?.stop();
  await storage?.stop();
  out.write(
    `${stateLine(last)}\ncamsync demo stopped; events are in ${join(opts.config.dataDir, "events")}\n`,
  );
  return 0;
}

/** The demo station's read-only identity on the car's embedded broker. */
export const DEMO_FLEET_OBSERVER = "station";

/**
 * The demo config with the car's offload pointed at the embedded bucket, and a read-only observer
 * identity on its embedded broker (`station`, a fresh password): the demo station's fleet view reads
 * the car's status with it, as it would through the fleet bridge.
 */
export function withDemoOffload(config: Config, storage: DemoStorage): Config {
  const c = structuredClone(config);
  c.mqtt.embeddedBroker.observers = [
    ...c.mqtt.embeddedBroker.observers.filter((o) => o.username !== DEMO_FLEET_OBSERVER),
    { username: DEMO_FLEET_OBSERVER, password: randomBytes(18).toString("base64url") },
  ];
  c.evidence.offload = {
    ...c.evidence.offload,
    enabled: true,
    endpoint: storage.endpoint,
    bucket: DEMO_BUCKET,
    prefix: "",
    forcePathStyle: true,
    credentialsFile: storage.credentialsFile,
    probeIntervalSeconds: 5,
    maxBackoffSeconds: 10,
  };
  return c;
}
