// The chaos soak: the real daemon with real Mosquitto, real ffmpeg (test-pattern cameras), a CAN capture
// replayed through a PTY as SLCAN and the reference body cams, while the adversary's schedule runs and the
// faults are injected. The harness is also the daemon's supervisor (Restart=always, like systemd).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { unitNodeFlags } from "../bench/_unit-node-flags.mjs";
import { controlRequest } from "../dist/control/control-client.js";
import { fillDuringAssembly } from "./assembly-fill.mjs";
import { BodycamFleet } from "./bodycam-fleet.mjs";
import { Broker } from "./broker.mjs";
import { CanFeed } from "./can-feed.mjs";
import { daemonConfig, LONG_PRESS_MS, SPEED_RULE } from "./daemon-config.mjs";
import { cliPath, DaemonProcess, repoRoot } from "./daemon-process.mjs";
import { DataDisk } from "./data-disk.mjs";
import { FootageLedger, ffmpegProcessesFor, ringHeads } from "./evidence-scan.mjs";
import { hijackAttempt } from "./hijack-attempt.mjs";
import { Intruder, MALFORMED_PAYLOADS } from "./intruder.mjs";
import { Observer } from "./observer.mjs";
import { freePort, StartupMistakes, startSecondDaemon } from "./operator-mistakes.mjs";
import { createRng } from "./rng.mjs";
import { SlcanAdapter } from "./slcan-adapter.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const CAPTURE = resolve(
  repoRoot,
  "../shared/fixtures/can/logs/ford_fusion_2017_speed_30_to_80kmh.candump",
);

/** Run a `camsync` command without blocking the harness (the CAN feed and MQTT clients keep running). */
export function camsync(args, timeoutMs = 60_000) {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(t);
      resolveRun({ code, stdout, stderr });
    });
  });
}

const safeList = (dir) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/**
 * A segment written by a new ffmpeg is complete: it is listed in a segment list (CSV) that did not exist
 * before the kill, or (without lists) a second new segment file has been started after it.
 */
function firstNewSegmentComplete(dir, before) {
  const fresh = safeList(dir).filter((n) => !before.has(n));
  const lists = fresh.filter((n) => n.endsWith(".csv"));
  if (lists.length > 0) return lists.some((n) => statSync(join(dir, n), { throwIfNoEntry: false })?.size > 0);
  return fresh.filter((n) => n.endsWith(".ts")).length >= 2;
}

export class Soak {
  /** @param {{ seed: number, bodycams?: number, cameras?: number, dir?: string, log?: (s: string) => void }} opts */
  constructor(opts) {
    this.opts = opts;
    this.rng = createRng(opts.seed ^ 0x5eed);
    this.log = opts.log ?? ((s) => process.stderr.write(`${s}\n`));
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), "camsync-soak-"));
    // The data dir on its own small tmpfs when possible (soak/data-disk.mjs): a full disk is then real.
    this.disk = new DataDisk({ dir: join(this.dir, "disk") });
    this.dataDir = join(this.disk.dir, "data");
    this.vehicleId = "soak1";
    /** Paired body-cam ids (each one's certificate CN). */
    this.cams = Array.from({ length: opts.bodycams ?? 8 }, (_, i) => `bc${i + 1}`);
    this.cameraNames = ["front", "cabin", "rear", "side"].slice(0, opts.cameras ?? 2);
    this.injections = [];
    this.authorisedStarts = [];
    this.stops = [];
    this.faults = [];
    this.fills = [];
    this.skipped = [];
    this.controlFailures = [];
    this.resources = [];
    this.recoveries = [];
    this.orphans = [];
    this.lightOn = false;
    this.buttonFreeAt = 0;
    this.brokerUp = false;
    this.activeFaults = new Set();
    this.timers = [];
  }

  async setup() {
    if (!this.disk.mount()) this.log(`soak: data dir on the ordinary disk: ${this.disk.why}`);
    mkdirSync(this.dataDir, { recursive: true });
    this.broker = new Broker({
      dir: join(this.dir, "mosquitto"),
      vehicleId: this.vehicleId,
      identities: [...this.cams, "rogue"],
      // One identity, one connection (use_username_as_clientid): the finale's probe has its own.
      observers: ["observer", "finale"],
    });
    await this.broker.start();
    this.brokerUp = true;
    this.adapter = new SlcanAdapter({ dir: this.dir });
    await this.adapter.plugIn();

    // The recorder's reserve, and how far below it the fill-disk fault takes free space (data-disk.mjs).
    const { minFreeBytes, fillLeaves } = this.disk.plan();
    this.fillLeaves = fillLeaves;
    /** The daemon's MQTT client id: its username (no mqtt.clientId in the config). */
    this.daemonClientId = "camsync";
    this.statusPort = await freePort();
    this.configPath = join(this.dir, "camsync.yaml");
    writeFileSync(
      this.configPath,
      daemonConfig({
        vehicleId: this.vehicleId,
        dataDir: this.dataDir,
        mqttUrl: this.broker.url,
        mqttTls: this.broker.tlsFiles("camsync"),
        canDevice: this.adapter.devicePath,
        bodycams: this.cams,
        cameras: this.cameraNames.length,
        minFreeBytes,
        statusPagePort: this.statusPort,
      }),
    );
    const check = await camsync(["config", "check", this.configPath]);
    if (check.code !== 0) throw new Error(`the soak's config is invalid:\n${check.stdout}${check.stderr}`);

    // The daemon as deployed: with the Node flags of the shipped systemd unit (they bound V8's young
    // generation, whose growth alone moved RSS by ~17 MiB between the thirds of a run without them).
    this.daemon = new DaemonProcess({
      config: this.configPath,
      logFile: join(this.dir, "daemon.log"),
      nodeArgs: unitNodeFlags(),
    });
    this.daemon.onLine((e) => {
      // A new daemon opens its simulated light bar inactive (it may be switched on before "camsync ready").
      if (e.line.msg === "gpio input opened" && e.line.input === "lightbar")
        this.lightOn = e.line.active === true;
    });
    // Operator mistakes before the first start: a busy status-page port, stale locks (operator-mistakes.mjs).
    const startup = new StartupMistakes({
      dataDir: this.dataDir,
      statusPort: this.statusPort,
      rng: this.rng,
      faults: this.faults,
      log: this.log,
    });
    await startup.before();
    this.firstReadyMs = await this.daemon.start();
    this.activeFaults.add("busy-port");
    void startup
      .after(this.daemon)
      .catch((err) => this.log(`soak: startup mistakes: ${err.stack ?? err}`))
      .finally(() => this.activeFaults.delete("busy-port"));
    this.log(
      `soak: daemon ready in ${this.firstReadyMs} ms (pid ${this.daemon.pid}); data in ${this.dataDir}`,
    );

    this.observer = new Observer({
      url: this.broker.url,
      tls: this.broker.tls("observer"),
      vehicleId: this.vehicleId,
    });
    await this.observer.start();
    this.fleet = new BodycamFleet({
      url: this.broker.url,
      vehicleId: this.vehicleId,
      cams: this.cams.map((id) => ({ id, tls: this.broker.tls(id) })),
    });
    await this.fleet.start();
    this.intruder = new Intruder({
      url: this.broker.url,
      vehicleId: this.vehicleId,
      rogue: { id: "rogue", tls: this.broker.tls("rogue") },
      pairedIdentity: { id: this.cams[0], tls: this.broker.tls(this.cams[0]) },
    });
    this.coverage = await this.probeCoverage();
    this.feed = new CanFeed({
      adapter: this.adapter,
      capture: CAPTURE,
      threshold: SPEED_RULE.threshold,
      clearBelow: SPEED_RULE.clearBelow,
      rng: this.rng,
      onCrossing: (at) => {
        const origin = { kind: "can", id: SPEED_RULE.name };
        this.authorisedStarts.push({ at, origin, action: "can-crossing" });
        // Expected to reach the engine only when the adapter was plugged in and the daemon up.
        if (this.adapter.channelOpen && this.daemon.up)
          this.injections.push({ at, origin, action: "can-crossing" });
      },
    });
    this.feed.start();
    this.timers.push(setInterval(() => this.sample(), 2000));
    this.ledger = new FootageLedger(this.dataDir);
    this.timers.push(setInterval(() => this.ledger.scan(), 5000));
  }

  /** Which components the daemon has wired (status components and health), for the report. */
  async probeCoverage() {
    await sleep(1500);
    const s = await this.control({ op: "status" });
    const status = s.ok ? s.result : {};
    const names = [...Object.keys(status.components ?? {}), ...Object.keys(status.health ?? {})];
    const has = (re) => names.some((n) => re.test(n));
    return {
      components: [...new Set(names)].sort(),
      gpio: has(/^(gpio|inputs?)/),
      can: has(/^(can|vehicle)/),
      recorder: has(/^recorder/),
      bodycam: has(/^(mqtt|bodycam)/),
      evidence: has(/^(evidence|audit|offload|retention)/),
      slcanOpened: this.adapter.channelOpen,
    };
  }

  control(req) {
    return controlRequest(join(this.dataDir, "control.sock"), req, 5000).catch((err) => ({
      ok: false,
      error: String(err.message),
    }));
  }

  sample() {
    const r = this.daemon.resources();
    const run = this.daemon.runs[this.daemon.runs.length - 1];
    if (r && run) this.resources.push({ at: Date.now(), run: run.n, ...r });
  }

  /** Run one scheduled action; faults run in the background so stimuli continue during them. */
  async act(item) {
    const at = Date.now();
    const a = item.action;
    const note = (what) => this.skipped.push({ at, action: a, why: what });
    switch (a) {
      case "lightbar": {
        const next = !this.lightOn;
        const r = await this.control({ op: "simulate", input: "lightbar", active: next });
        if (!r.ok) return this.controlFailures.push({ at, action: a, error: r.error });
        this.lightOn = next;
        const origin = { kind: "lightbar", id: "lightbar" };
        this.authorisedStarts.push({ at, origin, action: a });
        if (next) this.injections.push({ at, origin, action: "lightbar-on" });
        return;
      }
      case "button-short":
      case "button-long": {
        const holdMs = a === "button-short" ? this.rng.int(100, 400) : LONG_PRESS_MS + 700;
        const origin = { kind: "button", id: "button" };
        // One finger: a press starts only after the previous one was released (the daemon holds it).
        const wait = this.buttonFreeAt - Date.now();
        if (wait > 0) await sleep(wait);
        const pressedAt = Date.now();
        const r = await this.control({ op: "press", input: "button", holdMs });
        this.buttonFreeAt = pressedAt + holdMs + 200;
        if (!r.ok) return this.controlFailures.push({ at, action: a, error: r.error });
        this.authorisedStarts.push({ at: pressedAt, origin, action: a });
        if (a === "button-short") this.injections.push({ at: pressedAt, origin, action: a });
        else this.stops.push({ at: pressedAt, origin, action: a });
        return;
      }
      case "cli-start":
      case "cli-stop":
      case "cli-mark": {
        const kind = a.slice(4);
        const origin = { kind: "cli", id: "cli" };
        const r = await camsync([
          "trigger",
          kind,
          "--reason",
          `soak ${a} at ${new Date(at).toISOString()}`,
          "--data-dir",
          this.dataDir,
        ]);
        if (r.code !== 0)
          return this.controlFailures.push({ at, action: a, error: (r.stderr || r.stdout).trim() });
        if (kind === "stop") this.stops.push({ at, origin, action: a });
        else this.authorisedStarts.push({ at, origin, action: a });
        if (kind === "start") this.injections.push({ at, origin, action: a });
        return;
      }
      case "bodycam-start": {
        const cam = this.fleet.cam(item.arg);
        if (!this.brokerUp || !cam.connected) return note("broker down");
        if (cam.recording) {
          // The officer stops the body cam and starts it again (a recording cam ignores "start").
          cam.pressStop();
          await sleep(300);
          // The car may have re-commanded the cam meanwhile (it records again): then "start" does nothing.
          if (cam.recording) return note(`${cam.id} was re-activated by the car before its officer's start`);
        }
        cam.pressStart();
        const origin = { kind: "bodycam", id: cam.id };
        this.authorisedStarts.push({ at, origin, action: a });
        this.injections.push({ at, origin, action: a });
        return;
      }
      case "bodycam-stop": {
        const cam = this.fleet.cam(item.arg);
        if (!cam.recording || !cam.connected) return note(`${cam.id} not recording or offline`);
        cam.pressStop();
        return;
      }
      case "rogue-start":
      case "rogue-stop":
        if (!this.brokerUp) return note("broker down");
        return this.intruder.rogueActivation(a === "rogue-start");
      case "bad-credentials":
        if (!this.brokerUp) return note("broker down");
        return this.intruder.badCredentials();
      case "malformed-mqtt": {
        if (!this.brokerUp) return note("broker down");
        const names = Object.keys(MALFORMED_PAYLOADS);
        return this.intruder.malformed(Array.from({ length: item.arg }, () => this.rng.pick(names)));
      }
      case "slcan-garbage":
        return this.slcanGarbage(at);
      default:
        if (this.activeFaults.has(a)) return note("the same fault is still in progress");
        this.activeFaults.add(a);
        void this.fault(a, item.arg, at)
          .catch((err) => this.log(`soak: fault ${a} failed: ${err.stack ?? err}`))
          .finally(() => this.activeFaults.delete(a));
    }
  }

  slcanGarbage(at) {
    const garbage = [
      "tZZZ8\r",
      "t4158112233\r", // too few data bytes for DLC 8
      "t41599\r", // DLC 9 on classic CAN
      "T1FFFFFFFF811\r", // 29-bit id out of range, short
      `${"t".repeat(3000)}\r`,
      Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x07, 0x1b]).toString("latin1"),
      "x1234\r",
      "\r\r\r",
      "t123",
    ];
    const n = this.rng.int(1, 4);
    const lines = Array.from({ length: n }, () => this.rng.pick(garbage)).join("");
    // A partial frame must not glue onto the next real one: end the garbage with a CR.
    if (this.adapter.rawWrite(`${lines}\r`)) this.faults.push({ kind: "slcan-garbage", at, until: at });
  }

  async fault(kind, arg, at) {
    const f = { kind, at, until: at, arg };
    this.faults.push(f);
    this.log(`soak: +${Math.round((at - this.t0) / 1000)} s fault ${kind} ${arg ?? ""}`);
    switch (kind) {
      case "kill-ffmpeg": {
        const cam = this.cameraNames[arg % this.cameraNames.length];
        const procs = this.daemon.ffmpegChildren();
        const target =
          procs.find((p) => p.cmdline.some((x) => x.includes(`/ring/${cam}/`) || x.includes(`/${cam}/`))) ??
          procs[0];
        if (!target) {
          f.detail = "no ffmpeg child to kill";
          return;
        }
        const ringDir = join(this.dataDir, "ring", cam);
        const before = new Set(safeList(ringDir));
        process.kill(target.pid, "SIGKILL");
        f.detail = `ffmpeg pid ${target.pid} (${cam})`;
        const end = Date.now() + 30_000;
        while (Date.now() < end) {
          await sleep(50);
          if (firstNewSegmentComplete(ringDir, before)) {
            this.recoveries.push({ camera: cam, ms: Date.now() - at });
            break;
          }
        }
        f.until = Date.now();
        return;
      }
      case "restart-broker":
        this.brokerUp = false;
        await this.broker.restart(arg);
        this.brokerUp = true;
        f.until = Date.now();
        return;
      case "unplug-serial":
        await this.adapter.unplug();
        await sleep(arg);
        await this.adapter.plugIn();
        await this.adapter.waitOpen(30_000).catch(() => {
          f.detail = "the daemon did not reopen the adapter within 30 s";
        });
        f.until = Date.now();
        return;
      case "kill-daemon": {
        const oldPid = this.daemon.pid;
        f.readyMs = await this.daemon.killAndRestart(arg);
        f.until = Date.now();
        await sleep(10_000);
        for (const p of ffmpegProcessesFor(this.dataDir)) {
          if (p.ppid !== this.daemon.pid) this.orphans.push({ ...p, afterKillOf: oldPid });
        }
        return;
      }
      case "second-daemon":
        return startSecondDaemon({ config: this.configPath, daemon: this.daemon }, f);
      case "fill-disk": {
        if (!this.fillLeaves) {
          f.detail = "not enough free space to simulate a full disk safely";
          return;
        }
        let filler;
        try {
          filler = this.disk.fill(this.fillLeaves());
        } catch (err) {
          f.detail = String(err.message);
          return;
        }
        const fill = { at, until: at, alertSeen: false, ringAdvanced: false };
        this.fills.push(fill);
        await sleep(4000);
        const mid = ringHeads(this.dataDir);
        await sleep(Math.max(0, arg - 4000));
        const end = ringHeads(this.dataDir);
        fill.ringAdvanced = this.cameraNames.every((c) => (end[c]?.newest ?? 0) > (mid[c]?.newest ?? 0));
        filler.release();
        fill.until = f.until = Date.now();
        return;
      }
      case "fill-during-assembly":
        return fillDuringAssembly(this, f, arg);
      case "hijack-attempt":
        if (!this.brokerUp) {
          f.skipped = "broker down";
          return;
        }
        return hijackAttempt(this, f, arg);
    }
  }

  /** The event open now (its event-start decision, from the daemon's log), or null. */
  openEvent() {
    for (let i = this.daemon.lines.length - 1; i >= 0; i--) {
      const e = this.daemon.lines[i];
      const d = e.line.decision;
      if (d?.type === "event-end") return null;
      if ((d?.type === "event-start" || d?.type === "event-resume") && typeof d.eventId === "string")
        return { eventId: d.eventId, at: e.at };
    }
    return null;
  }

  /** Start recording from the CLI when idle, stop it when recording (recorded like the schedule's own). */
  toggleRecording() {
    return this.act({ action: this.openEvent() ? "cli-stop" : "cli-start" });
  }

  async runSchedule(schedule, durationMs) {
    this.t0 = Date.now();
    for (const item of schedule) {
      const wait = this.t0 + item.at - Date.now();
      if (wait > 0) await sleep(wait);
      try {
        let timer;
        await Promise.race([
          this.act(item),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error("the action hung for 30 s")), 30_000);
          }),
        ]).finally(() => clearTimeout(timer));
      } catch (err) {
        this.controlFailures.push({ at: Date.now(), action: item.action, error: String(err.message ?? err) });
      }
    }
    const rest = this.t0 + durationMs - Date.now();
    if (rest > 0) await sleep(rest);
  }
}
