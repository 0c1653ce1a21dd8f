import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { ReferenceBodycam } from "../bodycam/reference-bodycam.js";
import type { Config } from "../config/schema.js";
import { type Clock, systemClock, type TimerHandle } from "../core/clock.js";
import { createLogger, type Logger } from "../core/logger.js";
import { Daemon } from "../daemon/daemon.js";
import { ActivityLog } from "../statuspage/activity.js";
import { Readings } from "../statuspage/readings.js";
import { type StatusView, statusView } from "../statuspage/status-view.js";
import { type DemoAction, keyAction, pressHoldMs } from "./demo-keys.js";
import { demoScreen, stateKey, stateLine } from "./demo-screen.js";

export interface DemoOptions {
  config: Config;
  /** Full-screen terminal UI with key bindings; false: one state line per change (scripts, tests). */
  tty: boolean;
  /** Stop by itself after this many seconds. */
  durationSeconds?: number | undefined;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  clock?: Clock;
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
      const started = await Promise.allSettled(this.bodycams.map((b) => b.start(BODYCAM_CONNECT_MS)));
      for (const r of started) {
        if (r.status === "rejected") this.log.warn({ err: r.reason }, "demo body cam not connected yet");
      }
    }
    return urls;
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
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

  const demo = new Demo(opts.config, clock);
  process.on("unhandledRejection", (err) =>
    demo.log.error({ err }, "unhandled promise rejection (the demo keeps running)"),
  );
  let urls: DemoUrls;
  try {
    urls = await demo.start();
  } catch (err) {
    out.write(`camsync demo: could not start: ${(err as Error).message} (log: ${demo.logPath})\n`);
    await demo.stop().catch(() => {});
    return 1;
  }
  out.write(
    [
      `camsync demo: vehicle ${opts.config.vehicle.id}, data in ${opts.config.dataDir}`,
      `  status page: ${urls.page ?? "(disabled)"}`,
      ...(urls.pageControl ? [`  page with controls (this start only): ${urls.pageControl}`] : []),
      `  MQTT broker: ${urls.broker ?? "(not running)"}`,
      `  control:     ${join(opts.config.dataDir, "control.sock")}`,
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
      out.write(`\x1b[H\x1b[2J${demoScreen(view, keys, urls)}\n\n  ${message}\n`);
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
  out.write(
    `${stateLine(last)}\ncamsync demo stopped; events are in ${join(opts.config.dataDir, "events")}\n`,
  );
  return 0;
}
