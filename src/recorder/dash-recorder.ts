import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/schema.js";
import type { Decision } from "../core/activation.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { AlertSeverity, EventBus } from "../core/event-bus.js";
import { rollupHealth } from "../core/health.js";
import type { Logger } from "../core/logger.js";
import type { Origin } from "../core/trigger.js";
import { VERSION } from "../core/version.js";
import { currentOfficer } from "../evidence/officer.js";
import { CameraRecorder } from "./camera-recorder.js";
import type { RecorderConfig } from "./config.js";
import { CrashRecovery } from "./crash-recovery.js";
import { EventContext } from "./event-context.js";
import { EventFinalizer } from "./event-finalizer.js";
import type { OpenEntry } from "./event-journal.js";
import { type CaptureLauncher, launchCapture } from "./ffmpeg-process.js";
import { type FreeSpaceProbe, statfsFreeSpace } from "./free-space.js";
import { OpenEvent } from "./open-event.js";
import type { RecorderStatus } from "./recorder-status.js";
import { measuredBitrate } from "./ring.js";
import { RingKeeper } from "./ring-keeper.js";
import { type CameraState, supervisionPolicy } from "./supervision.js";

export interface RecorderOptions {
  config: RecorderConfig;
  dataDir: string;
  vehicle: Config["vehicle"];
  activation: Config["activation"];
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Starts capture processes (tests may wrap the real one). */
  launch?: CaptureLauncher;
  /** Free space on the data disk (tests inject a shrinking fake). */
  freeSpace?: FreeSpaceProbe;
  version?: string;
}

export interface Recorder extends Component<RecorderStatus> {
  status(): RecorderStatus;
  /**
   * Resolves when every camera has completed its first segment (the daemon then sends READY=1). A camera
   * whose first run fails instead (no ffmpeg, no device, stall) does not hold it back: it is reported
   * degraded/down and restarted.
   */
  ready(): Promise<void>;
  /** Resolves when every event that has ended so far is assembled (tests, shutdown). */
  idle(): Promise<void>;
}

export function createRecorder(o: RecorderOptions): Recorder {
  return new DashRecorder(o);
}

class DashRecorder implements Recorder {
  readonly name = "recorder";
  private readonly cameras = new Map<string, CameraRecorder>();
  private readonly events = new Map<string, OpenEvent>();
  private readonly recovery: CrashRecovery;
  private readonly finalizer: EventFinalizer;
  private readonly ring: RingKeeper;
  private readonly firstSegment = new Set<string>();
  private readonly cameraStates = new Map<string, CameraState>();
  private readonly journalAlerted = new Set<string>();
  private readonly context = new EventContext(() => this.events.values());
  private readonly log: Logger;
  private readonly eventsDir: string;
  private readonly launchCapture: CaptureLauncher;
  private unsubscribe: (() => void)[] = [];
  private timers: TimerHandle[] = [];
  private resolveReady!: () => void;
  private readonly readyPromise: Promise<void>;
  private startedAt = 0;

  constructor(private readonly o: RecorderOptions) {
    this.log = o.logger.child({ component: "recorder" });
    this.eventsDir = join(o.dataDir, "events");
    this.launchCapture = o.launch ?? launchCapture;
    this.ring = new RingKeeper({
      config: o.config,
      preEventSeconds: o.activation.preEventSeconds,
      dataDir: o.dataDir,
      clock: o.clock,
      freeSpace: o.freeSpace ?? statfsFreeSpace,
      log: this.log,
      alert: (code, severity, message) => this.alert(code, severity, message, {}),
      needed: (seg) => this.recovery.needed(seg),
      spaceChecked: (free) => this.finalizer.spaceChecked(free),
    });
    this.finalizer = new EventFinalizer({
      tools: {
        ffmpegPath: o.config.ffmpegPath,
        ffprobePath: o.config.ffprobePath,
        version: o.version ?? VERSION,
      },
      clock: o.clock,
      bus: o.bus,
      log: this.log,
      alert: (code, severity, message, extra) => this.alert(code, severity, message, extra),
    });
    this.recovery = new CrashRecovery({
      eventsDir: this.eventsDir,
      clock: o.clock,
      log: this.log,
      resumeGraceMs: o.config.recovery.resumeGraceSeconds * 1000,
      restore: (dir, open, entries) => OpenEvent.restore(this.eventOptions(dir, open), entries),
      adopt: (ev) => this.events.set(ev.id, ev),
      ending: (ev, endAt) => this.ending(ev, endAt),
      claimFromRing: (ev, accept) => this.claimFromRing(ev, accept),
      finalize: (ev, endAt, interrupted) => this.finalize(ev, endAt, interrupted),
      startedAt: () => this.startedAt,
      alert: (code, severity, message, extra) => this.alert(code, severity, message, extra),
    });
    this.readyPromise = new Promise((r) => {
      this.resolveReady = r;
    });
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  idle(): Promise<void> {
    return this.finalizer.idle();
  }

  async start(): Promise<void> {
    const { config, clock, bus, dataDir } = this.o;
    this.startedAt = clock.now();
    mkdirSync(this.eventsDir, { recursive: true, mode: 0o750 });
    for (const cam of config.cameras) {
      this.cameras.set(
        cam.name,
        new CameraRecorder({
          cam,
          ringDir: join(dataDir, "ring", cam.name),
          segmentSeconds: config.segmentSeconds,
          ffmpegPath: config.ffmpegPath,
          ffprobePath: config.ffprobePath,
          policy: supervisionPolicy(config),
          stopTimeoutMs: config.supervision.stopTimeoutMs,
          clock,
          launch: this.launchCapture,
          log: this.log.child({ camera: cam.name }),
          listener: {
            segment: (seg) => this.onSegment(cam.name, seg),
            fault: (at, cause) => this.onFault(cam.name, at, cause),
            health: (state, detail) => this.onCameraHealth(cam.name, state, detail),
          },
        }),
      );
    }
    this.unsubscribe.push(
      bus.on("decision", (d) => this.onDecision(d)),
      ...this.context.subscribe(bus),
    );
    this.recovery.scan();
    await Promise.all([...this.cameras.values()].map((c) => c.start()));
    for (const cam of this.cameras.values()) this.ring.learnLinks(cam);
    for (const ev of this.events.values()) this.claimFromRing(ev, () => true);
    this.recovery.afterIndex();
    if (this.cameras.size === 0) this.resolveReady();
    // Completion is checked on every segment; the timer only catches cameras given up on.
    this.timers.push(clock.setInterval(() => this.checkEvents(), 1000));
    const cams = [...this.cameras.values()];
    this.timers.push(
      clock.setInterval(() => void this.ring.tick(cams), config.storage.checkIntervalSeconds * 1000),
    );
    void this.ring.tick(cams);
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    for (const t of this.timers) this.o.clock.clearInterval(t);
    this.timers = [];
    this.recovery.stop();
    await Promise.all([...this.cameras.values()].map((c) => c.stop()));
    await this.finalizer.idle();
    for (const ev of this.events.values()) {
      try {
        ev.journal.close();
      } catch (err) {
        this.log.error({ err, eventId: ev.id }, `event ${ev.id}: cannot flush its journal`);
      }
    }
    this.cameras.clear();
  }

  status(): RecorderStatus {
    const cameras: RecorderStatus["cameras"] = {};
    for (const [name, cam] of this.cameras) {
      const bitrate = measuredBitrate(cam.segments().slice(-30));
      cameras[name] = { ...cam.status(), bitrateKbps: bitrate === null ? null : Math.round(bitrate / 1000) };
    }
    const health = [...this.cameras].map(([name, cam]) => ({
      component: `recorder:${name}`,
      state: cam.health === "starting" ? ("degraded" as const) : cam.health,
    }));
    return {
      recorder: rollupHealth(health, "recorder").state,
      cameras,
      openEvents: [...this.events.keys()],
      storage: this.ring.status(),
    };
  }

  // ---- decisions ----------------------------------------------------------------------------------------

  private onDecision(d: Decision): void {
    try {
      if (d.type === "event-start") this.openEvent(d.eventId, d.origin, d.at, d.preEventSeconds);
      else if (d.type === "event-resume") this.resumeEvent(d.eventId, d.origin, d.at);
    } catch (err) {
      // e.g. the disk is full or read-only: the ring keeps recording, but this event has no directory.
      this.log.error({ err, eventId: d.eventId }, `event ${d.eventId}: cannot record it`);
      this.alert("event-not-recorded", "critical", `event ${d.eventId}: ${(err as Error).message}`, {
        eventId: d.eventId ?? undefined,
      });
      return;
    }
    if (d.eventId === null) return;
    const ev = this.events.get(d.eventId);
    if (!ev) return;
    ev.journal.append({
      t: "decision",
      at: d.at,
      type: d.type,
      reason: d.reason,
      seq: d.seq,
      origin: "origin" in d ? d.origin : undefined,
      postRollSeconds: d.type === "stop-requested" ? d.postRollSeconds : undefined,
      part: d.type === "rollover" ? d.part : undefined,
    });
    if (d.type === "rollover") ev.rollovers.push({ part: d.part, at: d.at });
    if (d.type === "event-end") this.ending(ev, d.at);
  }

  private ending(ev: OpenEvent, endAt: number): void {
    const { segmentSeconds, supervision } = this.o.config;
    ev.endAt = endAt;
    const waitMs =
      Math.max(supervision.startupTimeoutSeconds, supervision.stallSegments * segmentSeconds) * 1000 +
      segmentSeconds * 2000;
    ev.giveUpAt = Math.max(endAt, this.o.clock.now()) + waitMs;
  }

  private openEntry(eventId: string, origin: Origin, triggerAt: number, preEventSeconds: number): OpenEntry {
    const { vehicle, config, clock } = this.o;
    return {
      t: "open",
      at: clock.now(),
      eventId,
      origin,
      triggerAt,
      preEventSeconds,
      preEventAudio: config.preEventAudio,
      segmentSeconds: config.segmentSeconds,
      vehicle: { id: vehicle.id, name: vehicle.name, agency: vehicle.agency },
      officer: currentOfficer(this.o.dataDir, vehicle.officer),
      cameras: [...this.cameras.keys()],
      source: "activation",
    };
  }

  private eventOptions(dir: string, open: OpenEntry) {
    const audioCameras = new Set(this.o.config.cameras.filter((c) => c.audio.enabled).map((c) => c.name));
    return { dir, open, ffmpegPath: this.o.config.ffmpegPath, audioCameras, log: this.log };
  }

  private openEvent(eventId: string, origin: Origin, at: number, preEventSeconds: number): void {
    if (this.events.has(eventId)) return;
    const dir = join(this.eventsDir, eventId);
    // Never write into an existing event: a finalized one is evidence, and an id is used once.
    if (existsSync(dir)) throw new Error(`${dir} already exists; the event is not re-opened`);
    const ev = OpenEvent.create(this.eventOptions(dir, this.openEntry(eventId, origin, at, preEventSeconds)));
    this.events.set(eventId, ev);
    this.context.seed(ev);
    const claimed = this.claimFromRing(ev, () => true);
    this.log.info({ eventId, preEventSegments: claimed }, `event ${eventId} recording`);
  }

  /** The daemon restarted inside an event: continue it with every segment recorded meanwhile. */
  private resumeEvent(eventId: string, origin: Origin, at: number): void {
    if (this.events.has(eventId)) return;
    const pending = this.recovery.take(eventId);
    const dir = join(this.eventsDir, eventId);
    if (!pending) {
      this.log.warn({ eventId }, `resumed event ${eventId} has no journal; starting its record now`);
      this.openEvent(eventId, origin, at, this.o.activation.preEventSeconds);
      return;
    }
    const ev = OpenEvent.restore(this.eventOptions(dir, pending.open), pending.entries);
    this.events.set(eventId, ev);
    ev.journal.append({ t: "daemon-start", at: this.startedAt });
    const claimed = this.claimFromRing(ev, () => true);
    this.log.info({ eventId, claimed }, `event ${eventId} resumed after a daemon restart`);
  }

  /** Claim ring segments that belong to the event (those `accept` allows); returns how many. */
  private claimFromRing(ev: OpenEvent, accept: (startedAt: number) => boolean): number {
    let n = 0;
    for (const cam of this.cameras.values()) {
      for (const seg of cam.segments()) {
        if (!accept(seg.startedAt)) continue;
        if (ev.claim(seg, cam.path(seg.file))) {
          this.ring.markLinked(cam.name, seg.file);
          n += 1;
        }
      }
    }
    return n;
  }

  // ---- cameras ------------------------------------------------------------------------------------------

  private onSegment(camera: string, seg: Parameters<OpenEvent["claim"]>[0]): void {
    const cam = this.cameras.get(camera);
    if (!cam) return;
    for (const ev of this.events.values()) {
      if (ev.claim(seg, cam.path(seg.file))) this.ring.markLinked(camera, seg.file);
    }
    if (this.events.size > 0) this.checkEvents();
    this.settleCamera(camera);
  }

  /** A camera has completed its first segment — or failed first, and is reported instead of holding READY back. */
  private settleCamera(camera: string): void {
    if (this.firstSegment.has(camera)) return;
    this.firstSegment.add(camera);
    if (this.firstSegment.size === this.cameras.size) this.resolveReady();
  }

  private onFault(camera: string, at: number, cause: string): void {
    this.settleCamera(camera);
    for (const ev of this.events.values()) ev.journal.append({ t: "fault", camera, at, cause });
  }

  /** Called on every change of a camera's state. */
  private onCameraHealth(camera: string, state: CameraState, detail: string): void {
    const previous = this.cameraStates.get(camera);
    this.cameraStates.set(camera, state);
    if (previous === "ok" && state !== "ok") {
      for (const ev of this.events.values()) {
        const message = `camera ${camera} stopped recording during the event (${detail}); gap recorded`;
        this.alert("camera-not-recording", "warning", message, { eventId: ev.id, device: camera });
      }
    }
    const health = state === "starting" ? "degraded" : state;
    this.o.bus.emit("health", {
      component: `recorder:${camera}`,
      state: health,
      detail,
      at: this.o.clock.now(),
    });
    if (state === "down") {
      this.alert("camera-not-recording", "critical", `camera ${camera} is not recording: ${detail}`, {
        device: camera,
      });
    }
  }

  private alert(
    code: string,
    severity: AlertSeverity,
    message: string,
    extra: { eventId?: string; device?: string },
  ) {
    this.o.bus.emit("alert", { code, severity, message, ...extra, at: this.o.clock.now() });
  }

  // ---- completion and recovery --------------------------------------------------------------------------

  private checkEvents(): void {
    const now = this.o.clock.now();
    for (const ev of [...this.events.values()]) {
      const failure = ev.journal.failure;
      if (failure && !this.journalAlerted.has(ev.id)) {
        this.journalAlerted.add(ev.id);
        const message = `event ${ev.id}: its journal cannot be written (${failure.message}); segments are still claimed`;
        this.log.error({ err: failure, eventId: ev.id }, message);
        this.alert("event-journal-failed", "critical", message, { eventId: ev.id });
      }
      if (ev.complete(now)) this.finalize(ev, ev.endAt ?? now);
    }
  }

  private finalize(ev: OpenEvent, endAt: number, interrupted?: string): void {
    this.events.delete(ev.id);
    this.finalizer.finalize(ev, endAt, interrupted);
  }
}
