import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  ActivationEngine,
  type ActivationPolicy,
  type Decision,
  type EngineSnapshot,
  type EngineState,
} from "./activation.js";
import type { Clock, TimerHandle } from "./clock.js";
import type { Component } from "./component.js";
import type { DecisionTiming, EventBus } from "./event-bus.js";
import { readLatestSnapshot, SnapshotJournal } from "./snapshot-journal.js";
import { stageTrace } from "./stage-trace.js";
import type { Origin } from "./trigger.js";

export interface ActivationServiceOptions {
  policy: ActivationPolicy;
  vehicleId: string;
  /** `{dataDir}/state/activation.jsonl`: a journal of engine snapshots (core/snapshot-journal.ts). */
  statePath: string;
  bus: EventBus;
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

/**
 * Reads the persisted engine snapshot (the journal's latest line); a missing file is a fresh start, a
 * corrupt one is reported and set aside. Where the journal does not exist yet, the state file of earlier
 * versions (`activation.json` beside it, one JSON document) is read instead.
 */
export function readSnapshot(path: string): { snapshot?: EngineSnapshot; problem?: string } {
  let parsed: unknown;
  try {
    parsed = readLatestSnapshot(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      const legacy = path.replace(/\.jsonl$/, ".json");
      return legacy === path ? {} : readSnapshot(legacy);
    }
    if (code) return { problem: `cannot read ${path}: ${String(err)}` };
    return { problem: `${path}: unreadable JSON (${(err as Error).message})` };
  }
  if (parsed === undefined) return {};
  const snap = parsed as Partial<EngineSnapshot>;
  if (snap.version !== 1 || typeof snap.seq !== "number" || typeof snap.state !== "string") {
    return { problem: `${path}: not an activation state file (version ${String(snap.version)})` };
  }
  return { snapshot: snap as EngineSnapshot };
}

/** The activation engine's state, at the top level of `camsync status`. */
export interface ActivationStatus {
  state: EngineState;
  eventId: string | null;
  /** Present (true) until the engine is built at start. */
  starting?: true;
  startedAt?: number | null;
  origin?: Origin | null;
  postRollEndsAt?: number | null;
  activeTriggers?: string[];
  lastDecision?: Decision | null;
}

/**
 * The imperative shell around the pure activation engine: feeds it triggers and commands from the bus,
 * announces each decision (body-cam sync, the first listener, publishes it), then persists the engine's
 * state in the same synchronous turn (so a daemon killed mid-event resumes the same event), and keeps one
 * timer armed for the engine's next deadline. Persisting is one write(2) to a journal held open
 * (SnapshotJournal); its fdatasync runs on the next turn.
 */
export class ActivationService implements Component<ActivationStatus> {
  readonly name = "activation";
  private engine!: ActivationEngine;
  private timer: TimerHandle | undefined;
  private unsubscribe: (() => void)[] = [];
  private lastDecision: Decision | null = null;
  private readonly queued: (() => Decision[])[] = [];
  private subscribed = false;
  private syncing = false;
  private journal: SnapshotJournal | undefined;

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
      if (!this.engine) {
        this.queued.push(fn);
        return;
      }
      const inputMono = this.opts.clock.monotonic();
      const decisions = fn();
      stageTrace.mark("engine");
      this.apply(decisions, { inputMono });
    };
    this.unsubscribe.push(
      bus.on("trigger", (t) => {
        // A CAN trigger's path began at the serial read; any other trigger's path begins here.
        if (t.origin.kind !== "can") stageTrace.begin("engine");
        feed(() => this.engine.handleTrigger(t));
      }),
      bus.on("command", (c) => {
        stageTrace.begin("engine");
        feed(() => this.engine.handleCommand(c));
      }),
    );
  }

  async start(): Promise<void> {
    const { bus, clock, log, statePath } = this.opts;
    this.subscribe();
    mkdirSync(dirname(statePath), { recursive: true });
    this.journal = new SnapshotJournal(statePath);
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
    await this.journal?.sync().catch((err: unknown) => this.persistFailed(err));
    this.journal?.close();
  }

  status(): ActivationStatus {
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

  private apply(decisions: Decision[], timing?: DecisionTiming): void {
    // Announce first (body-cam sync listens first and publishes), persist and log after.
    for (const d of decisions) {
      this.lastDecision = d;
      this.opts.bus.emit("decision", d, timing);
    }
    if (decisions.length > 0) this.persist();
    for (const d of decisions) {
      const { type, eventId, reason, seq } = d as Decision & { eventId?: string | null };
      const msg = `activation ${type}`;
      if (type === "ignored") this.opts.log.info({ decision: d }, msg);
      else this.opts.log.info({ decision: { type, eventId, reason, seq }, detail: d }, msg);
    }
    this.arm();
  }

  /**
   * The snapshot is appended to the journal (one write(2)) right after the decisions were announced, in
   * the same turn: the body cams are not kept waiting for the disk (issue 16). A daemon killed in between
   * (the decision listeners' run, well under a millisecond) restarts with the state before the decision;
   * the durable records its listeners wrote meanwhile win at start (daemon/state-reconciliation.ts: the
   * audit log's seq, an event's end), and body-cam sync ends a retained activation the car no longer
   * knows. The fdatasync that makes the snapshot survive a power cut runs on the next turn of the event
   * loop. An event cut by power loss is still recovered by the recorder.
   */
  private persist(): void {
    const journal = this.journal;
    if (!journal) return;
    try {
      journal.save(this.engine.view()); // serialised at once: no copy on the trigger path
      if (!this.syncing) {
        this.syncing = true;
        setImmediate(() => {
          this.syncing = false;
          journal.sync().catch((err: unknown) => this.persistFailed(err));
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
        stageTrace.begin("engine");
        this.apply(this.engine.advance(clock.now()));
      },
      Math.max(0, due - clock.now()),
    );
  }
}
