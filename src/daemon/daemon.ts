import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createBodycamSync } from "../bodycam/sync.js";
import { VERSION } from "../cli/version.js";
import type { Config } from "../config/schema.js";
import { ActivationService } from "../core/activation-service.js";
import { type Alert, Bus, type HealthReport } from "../core/bus.js";
import { type Clock, isoTime, type TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import { createAuditLog } from "../evidence/audit-log.js";
import { createOffload } from "../evidence/offload.js";
import { evidenceControlHandlers } from "../evidence/operator-action.js";
import { createRetention } from "../evidence/retention.js";
import { createInputs } from "../inputs/inputs.js";
import { eventCreateHandler } from "../recorder/after-the-fact.js";
import { createRecorder } from "../recorder/recorder.js";
import { createStatusPage } from "../statuspage/status-page.js";
import { sha256Hex } from "../storage/sha256.js";
import { createCanSource } from "../vehicle/can-source-factory.js";
import { GpsReceiver } from "../vehicle/gps-receiver.js";
import { createVehicleBus } from "../vehicle/vehicle-bus.js";
import { controlSocketPath } from "./control-protocol.js";
import { ControlServer } from "./control-server.js";
import type { Logger } from "./logger.js";
import { readDurableRecord, reconcileSnapshot } from "./state-reconciliation.js";
import { createNotifier, type Notifier, watchdogIntervalMs } from "./systemd-notify.js";

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** `demo` builds simulated inputs and test-pattern cameras where the config asks for them. */
  mode: "run" | "demo";
  /** Environment for systemd notification (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

/** Components whose prolonged `down` means the daemon is not doing its job (the watchdog stops). */
const CRITICAL_PREFIXES = ["recorder:"];
const CRITICAL_DOWN_LIMIT_MS = 120_000;
const RECENT_ALERTS = 50;
const READY_TIMEOUT_MS = 30_000;

/**
 * Whether the recorder has the engine's current event open (null: no event, or no recorder to ask). An
 * event the recorder refused (its directory exists, the disk is full) must never show as RECORDING.
 */
function eventRecorded(act: Record<string, unknown>, recorder: unknown): boolean | null {
  if (act.state !== "active" && act.state !== "post-roll") return null;
  const open = (recorder as { openEvents?: unknown } | undefined)?.openEvents;
  return Array.isArray(open) ? open.includes(act.eventId) : null;
}

/**
 * The composition root: builds every component from the validated config and wires them through the bus.
 * Components never import each other; they meet here. A component that fails to start is reported and
 * the rest keep running (a broken GPS never stops the recorder).
 */
export class Daemon {
  readonly bus = new Bus();
  readonly dataDir: string;
  readonly control: ControlServer;
  private readonly components: Component[] = [];
  private readonly started: Component[] = [];
  private readonly health = new Map<string, HealthReport & { downSince: number | null }>();
  private readonly alerts: Alert[] = [];
  private activation!: ActivationService;
  private notifier: Notifier | undefined;
  private watchdog: TimerHandle | undefined;
  private readonly startedAt: number;
  private readyWaits: Promise<unknown>[] = [];

  constructor(private readonly opts: DaemonOptions) {
    this.dataDir = resolve(opts.config.dataDir);
    this.control = new ControlServer(
      controlSocketPath(this.dataDir),
      opts.logger.child({ component: "control" }),
    );
    this.startedAt = opts.clock.now();
  }

  get config(): Config {
    return this.opts.config;
  }

  /** Build and start everything; resolves when the daemon is ready (READY=1 sent under systemd). */
  async start(): Promise<void> {
    const { config, logger, clock } = this.opts;
    mkdirSync(this.dataDir, { recursive: true, mode: 0o750 });
    mkdirSync(join(this.dataDir, "state"), { recursive: true, mode: 0o750 });
    this.bus.setListenerErrorHandler((err, event) =>
      logger.error({ err, event }, "a component failed while handling a bus event (others unaffected)"),
    );
    this.bus.on("health", (h) => this.onHealth(h));
    this.bus.on("alert", (a) => this.onAlert(a));

    this.activation = new ActivationService({
      policy: config.activation,
      vehicleId: config.vehicle.id,
      statePath: join(this.dataDir, "state", "activation.json"),
      bus: this.bus,
      clock,
      log: logger.child({ component: "activation" }),
      reconcile: (snapshot) =>
        reconcileSnapshot(snapshot, readDurableRecord(this.dataDir, snapshot?.event?.id ?? null)),
    });
    // Listen before anything starts: a light bar already on at start-up must start recording.
    this.activation.subscribe();

    this.build();
    this.registerControl();

    // The activation engine starts last so that a resumed event reaches components already listening.
    for (const c of [...this.components, this.activation]) {
      try {
        await c.start();
        this.started.push(c);
      } catch (err) {
        logger.error(
          { err, component: c.name },
          `component ${c.name} failed to start; the rest keep running`,
        );
        this.bus.emit("health", {
          component: c.name,
          state: "down",
          detail: (err as Error).message,
          at: clock.now(),
        });
        this.bus.emit("alert", {
          code: "component-failed",
          severity: "critical",
          message: `${c.name} failed to start: ${(err as Error).message}`,
          device: c.name,
          at: clock.now(),
        });
      }
    }
    await this.control.start();
    await this.waitReady();
    await this.startSystemd();
    logger.info(
      {
        dataDir: this.dataDir,
        vehicle: config.vehicle.id,
        version: VERSION,
        startMs: Math.round(clock.now() - this.startedAt),
      },
      "camsync ready",
    );
  }

  async stop(): Promise<void> {
    const { logger, clock } = this.opts;
    clock.clearInterval(this.watchdog);
    await this.notifier?.notify({ STOPPING: 1 });
    await this.control.stop();
    for (const c of [...this.started].reverse()) {
      try {
        await c.stop();
      } catch (err) {
        logger.error({ err, component: c.name }, `component ${c.name} failed to stop cleanly`);
      }
    }
    this.started.length = 0;
    this.notifier?.close();
    logger.info({}, "camsync stopped");
  }

  /** The daemon's state for `camsync status`, the status page and `R/status`. */
  status(): Record<string, unknown> {
    const act = this.activation?.status() ?? { state: "idle" };
    const components: Record<string, unknown> = {};
    for (const c of this.started) if (c.status) components[c.name] = c.status();
    const health = Object.fromEntries(
      [...this.health].map(([k, v]) => [k, { state: v.state, detail: v.detail, at: isoTime(v.at) }]),
    );
    return {
      v: 1,
      vehicle: this.opts.config.vehicle.id,
      version: VERSION,
      at: isoTime(this.opts.clock.now()),
      uptimeSeconds: Math.round((this.opts.clock.now() - this.startedAt) / 1000),
      ...act,
      eventRecorded: eventRecorded(act, components.recorder),
      recorder: this.rollup("recorder:"),
      bus: this.rollup("can"),
      health,
      alerts: this.alerts.slice(-10),
      components,
    };
  }

  /** Worst health among components whose name starts with `prefix` ("none" when there are none). */
  rollup(prefix: string): "ok" | "degraded" | "down" | "none" {
    let worst: "ok" | "degraded" | "down" | "none" = "none";
    for (const [name, h] of this.health) {
      if (!name.startsWith(prefix)) continue;
      if (h.state === "down") return "down";
      if (h.state === "degraded" || worst === "none") worst = h.state;
    }
    return worst;
  }

  private build(): void {
    // [slot:gpio] inputs (GPIO backends, button)
    const inputs = createInputs({
      config: this.opts.config.inputs,
      bus: this.bus,
      clock: this.opts.clock,
      logger: this.opts.logger,
      mode: this.opts.mode,
    });
    this.add(inputs);
    this.control.handle("simulate", (req) => {
      inputs.simulate(req.input, req.active);
      return { input: req.input, active: req.active };
    });
    this.control.handle("press", (req) => {
      inputs.press(req.input, req.holdMs);
      return { input: req.input, holdMs: req.holdMs };
    });
    // [slot:vehicle] CAN bus source + DBC rules, GPS
    if (this.opts.config.vehicleBus.enabled) {
      const { vehicleBus } = this.opts.config;
      const deps = { bus: this.bus, clock: this.opts.clock, logger: this.opts.logger };
      const source = createCanSource(vehicleBus.source, {
        ...deps,
        logger: deps.logger.child({ component: "can" }),
      });
      this.add(createVehicleBus({ ...deps, config: vehicleBus, source }));
    }
    if (this.opts.config.gps.enabled) {
      this.add(
        new GpsReceiver(this.opts.config.gps, {
          bus: this.bus,
          clock: this.opts.clock,
          logger: this.opts.logger,
        }),
      );
    }
    // [slot:recorder] cameras, ring, events, manifest
    const recorder = createRecorder({
      config: this.opts.config.recorder,
      dataDir: this.dataDir,
      vehicle: this.opts.config.vehicle,
      activation: this.opts.config.activation,
      bus: this.bus,
      clock: this.opts.clock,
      logger: this.opts.logger,
    });
    this.add(recorder);
    this.addReadyWait(recorder.ready());
    // [slot:bodycam] MQTT sync, outbox, embedded broker
    this.add(
      createBodycamSync({
        config: { mqtt: this.opts.config.mqtt, bodycams: this.opts.config.bodycams },
        vehicle: { id: this.opts.config.vehicle.id },
        dataDir: this.dataDir,
        bus: this.bus,
        clock: this.opts.clock,
        logger: this.opts.logger,
      }),
    );
    // [slot:evidence] audit log, offload, retention
    const { config, clock, logger } = this.opts;
    const audit = createAuditLog({
      dataDir: this.dataDir,
      bus: this.bus,
      clock,
      logger: logger.child({ component: "audit" }),
      configLoaded: { sha256: sha256Hex(JSON.stringify(config)), version: VERSION },
    });
    this.components.unshift(audit); // first: records what every other component reports
    const evidence = { dataDir: this.dataDir, bus: this.bus, clock, audit };
    this.add(
      createOffload({
        ...evidence,
        config: config.evidence.offload,
        vehicleId: config.vehicle.id,
        logger: logger.child({ component: "offload" }),
      }),
    );
    this.add(
      createRetention({
        ...evidence,
        config: config.evidence.retention,
        reserveBytes: config.recorder.storage.minFreeBytes,
        logger: logger.child({ component: "retention" }),
      }),
    );
    const operator = evidenceControlHandlers({ audit, dataDir: this.dataDir, now: () => clock.now() });
    this.control.handle("officer-set", (req) => operator.officerSet(req));
    this.control.handle("event-tag", (req) => operator.eventTag(req));
    const log = logger.child({ component: "event-create" });
    this.control.handle(
      "event-create",
      eventCreateHandler({ config, dataDir: this.dataDir, bus: this.bus, clock, log, version: VERSION }),
    );
    // [slot:statuspage] the in-car status page (same control handlers and stop policy as the socket)
    this.add(
      createStatusPage({
        config: this.opts.config.control.statusPage,
        status: () => this.status(),
        dispatch: (req) => this.control.dispatch(req),
        bus: this.bus,
        logger: this.opts.logger,
        clock: this.opts.clock,
        vehicleName: this.opts.config.vehicle.name,
        bodycamNames: Object.fromEntries(this.opts.config.bodycams.paired.map((c) => [c.id, c.name ?? c.id])),
        diskPath: this.dataDir,
      }),
    );
  }

  private registerControl(): void {
    const { clock } = this.opts;
    this.control.handle("trigger", (req) => {
      const via = req.via ?? "cli";
      const before = this.activation.current.eventId;
      const decisions: unknown[] = [];
      const off = this.bus.on("decision", (d) => decisions.push(d));
      try {
        this.bus.emit("command", {
          kind: req.kind,
          origin: { kind: "cli", id: via },
          at: clock.now(),
          reason: req.reason ?? `${req.kind} from ${via}`,
        });
      } finally {
        off();
      }
      return {
        before,
        decisions,
        state: this.activation.current.state,
        eventId: this.activation.current.eventId,
      };
    });
    this.control.handle("status", () => this.status());
  }

  private onHealth(h: HealthReport): void {
    const prev = this.health.get(h.component);
    const downSince = h.state === "down" ? (prev?.downSince ?? h.at) : null;
    this.health.set(h.component, { ...h, downSince });
    if (!prev || prev.state !== h.state) {
      const log = this.opts.logger.child({ component: h.component });
      if (h.state === "ok")
        log.info({ health: h.state }, `${h.component} ok${h.detail ? `: ${h.detail}` : ""}`);
      else log.warn({ health: h.state, detail: h.detail }, `${h.component} ${h.state}: ${h.detail ?? ""}`);
    }
  }

  private onAlert(a: Alert): void {
    this.alerts.push(a);
    if (this.alerts.length > RECENT_ALERTS) this.alerts.shift();
    this.opts.logger.warn({ alert: a }, `alert ${a.code}: ${a.message}`);
  }

  /** The daemon's own health, gating WATCHDOG=1: no critical component has been down too long. */
  healthy(): boolean {
    const now = this.opts.clock.now();
    for (const [name, h] of this.health) {
      if (!CRITICAL_PREFIXES.some((p) => name.startsWith(p))) continue;
      if (h.downSince !== null && now - h.downSince > CRITICAL_DOWN_LIMIT_MS) return false;
    }
    return true;
  }

  private async startSystemd(): Promise<void> {
    const env = this.opts.env ?? process.env;
    this.notifier = await createNotifier(env);
    if (!this.notifier.enabled) return;
    await this.notifier.notify({
      READY: 1,
      STATUS: `ready; vehicle ${this.opts.config.vehicle.id}`,
      MAINPID: process.pid,
    });
    const every = watchdogIntervalMs(env);
    if (every === null) return;
    this.watchdog = this.opts.clock.setInterval(() => {
      if (this.healthy()) void this.notifier?.notify({ WATCHDOG: 1 });
      else
        this.opts.logger.error(
          {},
          "health checks failing: withholding WATCHDOG=1 so systemd restarts camsync",
        );
    }, every);
  }

  /** For components: the daemon sends READY=1 only after these settle (e.g. first segment of every camera). */
  addReadyWait(p: Promise<unknown>): void {
    this.readyWaits.push(p);
  }

  /**
   * Wait for every ready-wait, but never longer than READY_TIMEOUT_MS: a camera that cannot start must not
   * keep the rest (inputs, body-cam sync) from being announced ready; it is reported as down instead.
   */
  private async waitReady(): Promise<void> {
    if (this.readyWaits.length === 0) return;
    const { clock, logger } = this.opts;
    let timer: TimerHandle | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = clock.setTimeout(() => resolve("timeout"), READY_TIMEOUT_MS);
    });
    const settled = Promise.allSettled(this.readyWaits).then(() => "settled" as const);
    const outcome = await Promise.race([settled, timeout]);
    clock.clearTimeout(timer);
    if (outcome === "timeout") {
      logger.error(
        { waitedMs: READY_TIMEOUT_MS },
        "not every component became ready in time; announcing ready degraded",
      );
    }
  }

  /** For the wiring: a component built from config, started in order with the others. */
  add(c: Component): void {
    this.components.push(c);
  }
}
