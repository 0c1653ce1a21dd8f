import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { syncFile, writeJsonAtomicSync } from "../storage/atomic-file.js";
import { ActivationEngine, type ActivationPolicy, type Decision, type EngineSnapshot } from "./activation.js";
import type { Bus } from "./bus.js";
import type { Clock, TimerHandle } from "./clock.js";
import type { Component } from "./component.js";

export interface ActivationServiceOptions {
  policy: ActivationPolicy;
  vehicleId: string;
  /** `{dataDir}/state/activation.json` */
  statePath: string;
  bus: Bus;
  clock: Clock;
  log: {
    info(o: object, msg: string): void;
    warn(o: object, msg: string): void;
    error(o: object, msg: string): void;
  };
  idSuffix?: () => string;
  /**
   * Checks the restored snapshot against durable records written after it (the daemon passes the audit
   * log and the event journals): returns the snapshot to start from and what it corrected.
   */
  reconcile?: (snapshot: EngineSnapshot | undefined) => {
    snapshot: EngineSnapshot | undefined;
    corrections: string[];
  };
}

/** Reads a persisted engine snapshot; a missing file is a fresh start, a corrupt one is reported and set aside. */
export function readSnapshot(path: string): { snapshot?: EngineSnapshot; problem?: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    return { problem: `cannot read ${path}: ${String(err)}` };
  }
  try {
    const parsed = JSON.parse(text) as Partial<EngineSnapshot>;
    if (parsed.version !== 1 || typeof parsed.seq !== "number" || typeof parsed.state !== "string") {
      return { problem: `${path}: not an activation state file (version ${String(parsed.version)})` };
    }
    return { snapshot: parsed as EngineSnapshot };
  } catch (err) {
    return { problem: `${path}: unreadable JSON (${(err as Error).message})` };
  }
}

/**
 * The imperative shell around the pure activation engine: feeds it triggers and commands from the bus,
 * persists its state atomically before announcing each decision (so a daemon killed mid-event resumes
 * the same event), and keeps one timer armed for the engine's next deadline.
 */
export class ActivationService implements Component {
  readonly name = "activation";
  private engine!: ActivationEngine;
  private timer: TimerHandle | undefined;
  private unsubscribe: (() => void)[] = [];
  private lastDecision: Decision | null = null;
  private readonly queued: (() => Decision[])[] = [];
  private subscribed = false;
  private syncing = false;

  constructor(private readonly opts: ActivationServiceOptions) {}

  get current(): ActivationEngine {
    return this.engine;
  }

  /**
   * Subscribe at once, so triggers that other components emit while starting (lights already on when the
   * daemon starts) are queued and handled, in order, right after the persisted state is restored.
   */
  subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    const { bus } = this.opts;
    const feed = (fn: () => Decision[]) => {
      if (this.engine) this.apply(fn());
      else this.queued.push(fn);
    };
    this.unsubscribe.push(
      bus.on("trigger", (t) => feed(() => this.engine.handleTrigger(t))),
      bus.on("command", (c) => feed(() => this.engine.handleCommand(c))),
    );
  }

  async start(): Promise<void> {
    const { bus, clock, log, statePath } = this.opts;
    this.subscribe();
    mkdirSync(dirname(statePath), { recursive: true });
    const read = readSnapshot(statePath);
    const { problem } = read;
    let snapshot = read.snapshot;
    if (problem) {
      log.error({ statePath }, `activation state unusable, starting idle: ${problem}`);
      bus.emit("alert", {
        code: "state-corrupt",
        severity: "warning",
        message: `activation state could not be restored: ${problem}`,
        at: clock.now(),
      });
    }
    const reconciled = this.opts.reconcile?.(snapshot);
    if (reconciled && reconciled.corrections.length > 0) {
      snapshot = reconciled.snapshot;
      for (const c of reconciled.corrections) log.warn({ statePath }, `activation state reconciled: ${c}`);
      bus.emit("alert", {
        code: "state-reconciled",
        severity: "warning",
        message: `activation state file was behind the audit log / journals: ${reconciled.corrections.join("; ")}`,
        at: clock.now(),
      });
    }
    this.engine = new ActivationEngine(
      this.opts.policy,
      { vehicleId: this.opts.vehicleId, ...(this.opts.idSuffix ? { idSuffix: this.opts.idSuffix } : {}) },
      snapshot,
    );
    if (reconciled && reconciled.corrections.length > 0) this.persist();
    const now = clock.now();
    this.apply([...this.engine.resume(now), ...this.engine.advance(now)]);
    for (const fn of this.queued.splice(0)) this.apply(fn());
  }

  async stop(): Promise<void> {
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.subscribed = false;
    if (this.engine) this.persist();
  }

  status(): Record<string, unknown> {
    const e = this.engine;
    if (!e) return { state: "idle", starting: true, eventId: null };
    return {
      state: e.state,
      eventId: e.eventId,
      startedAt: e.eventStartedAt,
      origin: e.eventOrigin,
      postRollEndsAt: e.postRollEndsAt,
      activeTriggers: e.activeTriggerKeys,
      lastDecision: this.lastDecision,
    };
  }

  private apply(decisions: Decision[]): void {
    if (decisions.length > 0) this.persist();
    for (const d of decisions) {
      this.lastDecision = d;
      const { type, eventId, reason, seq } = d as Decision & { eventId?: string | null };
      const msg = `activation ${type}`;
      if (type === "ignored") this.opts.log.info({ decision: d }, msg);
      else this.opts.log.info({ decision: { type, eventId, reason, seq }, detail: d }, msg);
      this.opts.bus.emit("decision", d);
    }
    this.arm();
  }

  /**
   * The state file is replaced atomically before a decision is announced (a killed daemon always finds
   * the state that matches what it announced); the fsync that makes it survive a power cut runs right
   * after, off the trigger → body-cam path. An event cut by power loss is still recovered by the recorder.
   */
  private persist(): void {
    try {
      writeJsonAtomicSync(this.opts.statePath, this.engine.snapshot(), { durable: false });
      if (!this.syncing) {
        this.syncing = true;
        setImmediate(() => {
          this.syncing = false;
          syncFile(this.opts.statePath).catch((err: unknown) => this.persistFailed(err));
        });
      }
    } catch (err) {
      this.persistFailed(err);
    }
  }

  private persistFailed(err: unknown): void {
    // Recording goes on; only crash-resume is at risk. Say so loudly.
    this.opts.log.error({ err, statePath: this.opts.statePath }, "cannot persist activation state");
    this.opts.bus.emit("alert", {
      code: "state-not-persisted",
      severity: "critical",
      message: `activation state not persisted: ${(err as Error).message}`,
      at: this.opts.clock.now(),
    });
  }

  private arm(): void {
    const { clock } = this.opts;
    clock.clearTimeout(this.timer);
    this.timer = undefined;
    const due = this.engine.nextDeadline();
    if (due === null) return;
    this.timer = clock.setTimeout(
      () => {
        this.timer = undefined;
        this.apply(this.engine.advance(clock.now()));
      },
      Math.max(0, due - clock.now()),
    );
  }
}
