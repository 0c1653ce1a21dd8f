import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createBodycamSync } from "../bodycam/bodycam-sync.js";
import type { Config } from "../config/schema.js";
import { controlSocketPath } from "../control/control-protocol.js";
import type { ComponentStatuses, DaemonStatus } from "../control/daemon-status.js";
import { ActivationService, type ActivationStatus } from "../core/activation-service.js";
import { type Clock, isoTime, type TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import { EventBus } from "../core/event-bus.js";
import { rollupHealth } from "../core/health.js";
import type { Logger } from "../core/logger.js";
import { VERSION } from "../core/version.js";
import { createAuditLog } from "../evidence/audit-log.js";
import { createOffload } from "../evidence/offload.js";
import { evidenceControlHandlers } from "../evidence/operator-action.js";
import { createRetention } from "../evidence/retention.js";
import { createInputs, type Inputs } from "../inputs/inputs.js";
import { eventCreateHandler } from "../recorder/after-the-fact.js";
import { createRecorder } from "../recorder/dash-recorder.js";
import type { RecorderStatus } from "../recorder/recorder-status.js";
import { createStatusPage } from "../statuspage/status-page.js";
import { type DataDirLock, isDaemonHolder, lockDataDir } from "../storage/data-dir-lock.js";
import { sha256Hex } from "../storage/sha256.js";
import { registerControlHandlers } from "./control-handlers.js";
import { ControlServer } from "./control-server.js";
import { HealthMonitor } from "./health-monitor.js";
import { StartRetry } from "./start-retry.js";
import { readDurableRecord, reconcileSnapshot } from "./state-reconciliation.js";
import { SystemdWatchdog } from "./systemd-watchdog.js";

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** `demo` builds simulated inputs and test-pattern cameras where the config asks for them. */
  mode: "run" | "demo";
  /** Environment for systemd notification (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

const READY_TIMEOUT_MS = 30_000;
/** A CLI command writing under the data-dir lock (a tag without a daemon) lets go within milliseconds. */
const CLI_LOCK_PATIENCE_MS = 3000;

/**
 * Whether the recorder has the engine's current event open (null: no event, or no recorder to ask). An
 * event the recorder refused (its directory exists, the disk is full) must never show as RECORDING.
 */
function eventRecorded(act: ActivationStatus, recorder: RecorderStatus | undefined): boolean | null {
  if (act.state !== "active" && act.state !== "post-roll") return null;
  return recorder ? recorder.openEvents.includes(act.eventId ?? "") : null;
}

/**
 * The composition root: builds every component from the validated config and wires them through the bus.
 * Components never import each other; they meet here. A component that fails to start is reported and
 * the rest keep running (a broken GPS never stops the recorder).
 */
export class Daemon {
  readonly bus = new EventBus();
  readonly dataDir: string;
  readonly control: ControlServer;
  private readonly components: Component[] = [];
  private readonly started: Component[] = [];
  private readonly health: HealthMonitor;
  private activation!: ActivationService;
  private inputs!: Inputs;
  private operator!: ReturnType<typeof evidenceControlHandlers>;
  private eventCreate!: ReturnType<typeof eventCreateHandler>;
  private systemd: SystemdWatchdog | undefined;
  private readonly startedAt: number;
  private readyWaits: Promise<unknown>[] = [];
  private dirLock: DataDirLock | undefined;
  private readonly retries: StartRetry[] = [];

  constructor(private readonly opts: DaemonOptions) {
    this.dataDir = resolve(opts.config.dataDir);
    this.control = new ControlServer(
      controlSocketPath(this.dataDir),
      opts.logger.child({ component: "control" }),
    );
    this.startedAt = opts.clock.now();
    this.health = new HealthMonitor(opts.logger);
  }

  get config(): Config {
    return this.opts.config;
  }

  /** Build and start everything; resolves when the daemon is ready (READY=1 sent under systemd). */
  async start(): Promise<void> {
    const { config, logger, clock } = this.opts;
    // First of all: nothing is touched, started or signalled unless this is the data dir's only daemon.
    this.dirLock = await lockDataDir(this.dataDir, {
      command: `camsync ${this.opts.mode}`,
      waitMs: CLI_LOCK_PATIENCE_MS,
      waitFor: (holder) => !isDaemonHolder(holder),
    });
    mkdirSync(this.dataDir, { recursive: true, mode: 0o750 });
    mkdirSync(join(this.dataDir, "state"), { recursive: true, mode: 0o750 });
    this.bus.setListenerErrorHandler((err, event) =>
      logger.error({ err, event }, "a component failed while handling a bus event (others unaffected)"),
    );
    this.bus.on("health", (h) => this.health.onHealth(h));
    this.bus.on("alert", (a) => this.health.onAlert(a));

    this.activation = new ActivationService({
      policy: config.activation,
      vehicleId: config.vehicle.id,
      statePath: join(this.dataDir, "state", "activation.jsonl"),
      bus: this.bus,
      clock,
      log: logger.child({ component: "activation" }),
      reconcile: (snapshot) =>
        reconcileSnapshot(snapshot, readDurableRecord(this.dataDir, snapshot?.event?.id ?? null)),
    });
    // Listen before anything starts: a light bar already on at start-up must start recording.
    this.activation.subscribe();

    await this.build();
    registerControlHandlers({
      control: this.control,
      bus: this.bus,
      clock,
      activation: this.activation,
      inputs: this.inputs,
      operator: this.operator,
      eventCreate: this.eventCreate,
      status: () => this.status(),
    });

    // The activation engine starts last so that a resumed event reaches components already listening.
    for (const c of [...this.components, this.activation]) {
      try {
        await c.start();
        this.started.push(c);
      } catch (err) {
        this.retryLater(c, err);
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
        degraded: this.criticalDown(),
      },
      "camsync ready",
    );
  }

  async stop(): Promise<void> {
    const { logger } = this.opts;
    if (!this.dirLock) return; // refused at the lock: nothing was started, nothing of another daemon's is touched
    await this.systemd?.stopping();
    await this.control.stop();
    for (const r of this.retries.splice(0)) await r.stop();
    for (const c of [...this.started].reverse()) {
      try {
        await c.stop();
      } catch (err) {
        logger.error({ err, component: c.name }, `component ${c.name} failed to stop cleanly`);
      }
    }
    this.started.length = 0;
    this.systemd?.close();
    this.dirLock.release();
    this.dirLock = undefined;
    logger.info({}, "camsync stopped");
  }

  /** The daemon's state for `camsync status`, the status page and `R/status`. */
  status(): DaemonStatus {
    const act = this.activation?.status() ?? { state: "idle", eventId: null };
    const components: ComponentStatuses = {};
    for (const c of this.started) if (c.status) components[c.name] = c.status();
    return {
      v: 1,
      vehicle: this.opts.config.vehicle.id,
      version: VERSION,
      at: isoTime(this.opts.clock.now()),
      uptimeSeconds: Math.round((this.opts.clock.now() - this.startedAt) / 1000),
      ...act,
      eventRecorded: eventRecorded(act, components.recorder),
      recorder: rollupHealth(this.health.reports(), "recorder").state,
      canBus: rollupHealth(this.health.reports(), "can").state,
      health: this.health.entries(),
      alerts: this.health.recentAlerts(10),
      components,
    };
  }

  private async build(): Promise<void> {
    // [slot:gpio] inputs (GPIO backends, button)
    const inputs = createInputs({
      config: this.opts.config.inputs,
      bus: this.bus,
      clock: this.opts.clock,
      logger: this.opts.logger,
      mode: this.opts.mode,
    });
    this.add(inputs);
    this.inputs = inputs;
    // [slot:vehicle] CAN bus source + DBC rules, GPS
    // Loaded only when configured: a car without CAN or GPS never holds their code (docs/performance.md).
    if (this.opts.config.vehicleBus.enabled) {
      const { createCanSource } = await import("../vehicle/can-source-factory.js");
      const { createVehicleBus } = await import("../vehicle/vehicle-bus.js");
      const { vehicleBus } = this.opts.config;
      const deps = { bus: this.bus, clock: this.opts.clock, logger: this.opts.logger };
      const source = createCanSource(vehicleBus.source, {
        ...deps,
        logger: deps.logger.child({ component: "can" }),
      });
      this.add(createVehicleBus({ ...deps, config: vehicleBus, source }));
    }
    if (this.opts.config.gps.enabled) {
      const { GpsReceiver } = await import("../vehicle/gps-receiver.js");
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
    this.operator = evidenceControlHandlers({ audit, dataDir: this.dataDir, now: () => clock.now() });
    this.eventCreate = eventCreateHandler({
      config,
      dataDir: this.dataDir,
      bus: this.bus,
      clock,
      log: logger.child({ component: "event-create" }),
      version: VERSION,
    });
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
        dataDir: this.dataDir,
        audit,
        launchFile: join(this.dataDir, "status-page.url"),
      }),
    );
  }

  /** The daemon's own health, gating WATCHDOG=1: no critical component has been down too long. */
  healthy(): boolean {
    return this.health.healthy(this.opts.clock.now());
  }

  /** Critical components down right now, with why (READY's STATUS and the ready line name them). */
  criticalDown(): string[] {
    return this.health.criticalDown();
  }

  private async startSystemd(): Promise<void> {
    this.systemd = new SystemdWatchdog({
      env: this.opts.env ?? process.env,
      clock: this.opts.clock,
      logger: this.opts.logger,
      vehicleId: this.opts.config.vehicle.id,
      healthy: () => this.healthy(),
      criticalDown: () => this.criticalDown(),
    });
    await this.systemd.ready();
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

  /** A component that failed to start: reported, and started again with backoff until it comes up. */
  private retryLater(c: Component, err: unknown): void {
    const { clock, logger } = this.opts;
    const retry = new StartRetry(c, {
      bus: this.bus,
      clock,
      logger,
      onStarted: (up) => this.started.push(up),
    });
    this.retries.push(retry);
    retry.failed(err);
  }

  /** For the wiring: a component built from config, started in order with the others. */
  add(c: Component): void {
    this.components.push(c);
  }
}
