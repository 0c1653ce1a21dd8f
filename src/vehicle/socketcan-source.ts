import { spawn as nodeSpawn } from "node:child_process";
import type { Readable } from "node:stream";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import { guardUntilExit } from "../core/parent-death.js";
import type { CanFrame } from "./can-frame.js";
import type { CanSource } from "./can-source.js";
import { CandumpLineSplitter } from "./candump-line.js";
import { LinkSupervisor } from "./link-supervisor.js";
import type { SocketcanSourceConfig } from "./source-config.js";

/** The part of a child process SocketcanSource uses. */
export interface ChildLike {
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: "exit", listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: "error", listener: (err: Error) => void): unknown;
  once(event: "spawn", listener: () => void): unknown;
}

export type SpawnFn = (command: string, args: string[]) => ChildLike;

/** candump dies with this process (`core/parent-death.ts`). */
const systemSpawn: SpawnFn = (command, args) =>
  guardUntilExit(nodeSpawn(command, args, { stdio: ["ignore", "pipe", "pipe"] }));

export interface SocketcanSourceDeps {
  clock: Clock;
  bus: EventBus;
  logger?: Logger;
  spawn?: SpawnFn;
  /** Health component name (default "can"). */
  component?: string;
  /** candump counts as up once it printed a frame or kept running this long (default 1000 ms). */
  settleMs?: number;
}

/** How long stop() waits for candump to exit after SIGTERM before SIGKILL. */
const KILL_AFTER_MS = 2000;

/**
 * CAN frames from a SocketCAN interface through a supervised `candump -L <iface>` child process
 * (can-utils). candump exits when the interface is missing or goes down; it is restarted with backoff,
 * with health `down` (and the tail of its stderr) meanwhile. Frames carry the kernel's timestamps.
 */
export class SocketcanSource implements CanSource {
  readonly name = "socketcan";
  private listener: (frames: CanFrame[]) => void = () => {};
  private child: ChildLike | undefined;
  private splitter = new CandumpLineSplitter();
  private readonly supervisor: LinkSupervisor;
  private readonly spawn: SpawnFn;
  private frames = 0;
  private starts = 0;
  private lastExit: string | null = null;

  constructor(
    private readonly config: SocketcanSourceConfig,
    private readonly deps: SocketcanSourceDeps,
  ) {
    this.spawn = deps.spawn ?? systemSpawn;
    const log = deps.logger?.child({ component: "socketcan", interface: config.interface });
    this.supervisor = new LinkSupervisor({
      clock: deps.clock,
      bus: deps.bus,
      component: deps.component ?? "can",
      device: config.interface,
      alertCode: "can-source-down",
      backoff: config.restart,
      connect: () => this.run(),
      disconnect: () => this.kill(),
      ...(log ? { log: (level: "info" | "warn", msg: string) => log[level](msg) } : {}),
    });
  }

  onFrames(listener: (frames: CanFrame[]) => void): void {
    this.listener = listener;
  }

  async start(): Promise<void> {
    this.supervisor.start();
  }

  stop(): Promise<void> {
    return this.supervisor.stop();
  }

  status(): Record<string, unknown> {
    const c = this.splitter.counts;
    return {
      type: "socketcan",
      interface: this.config.interface,
      ...this.supervisor.status(),
      frames: this.frames,
      candumpStarts: this.starts,
      lastExit: this.lastExit,
      fdSkipped: c.fdSkipped,
      errorFramesSkipped: c.errorFramesSkipped,
      invalidLines: c.invalid,
      lastInvalid: c.lastInvalid,
    };
  }

  /** Start candump; resolves once it is evidently running, rejects if it dies first. */
  private run(): Promise<void> {
    const { clock } = this.deps;
    return new Promise((resolve, reject) => {
      let settled = false;
      let settle: TimerHandle | undefined;
      let stderr = "";
      const ready = () => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(settle);
        resolve();
      };
      const child = this.spawn(this.config.candump, ["-L", this.config.interface]);
      this.child = child;
      this.splitter = new CandumpLineSplitter();
      this.starts++;
      child.stdout?.setEncoding("latin1");
      child.stdout?.on("data", (chunk: string) => {
        if (this.child !== child) return;
        const frames = this.splitter.push(chunk);
        if (frames.length === 0) return;
        ready();
        this.frames += frames.length;
        this.listener(frames);
      });
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (chunk: string) => {
        stderr = (stderr + chunk).slice(-500);
      });
      const exited = (why: string) => {
        clock.clearTimeout(settle);
        const detail = stderr.trim().split("\n").at(-1);
        const reason = `candump ${why}${detail ? `: ${detail}` : ""}`;
        this.lastExit = reason;
        if (this.child !== child) return;
        this.child = undefined;
        if (!settled) {
          settled = true;
          reject(new Error(reason));
        } else {
          this.supervisor.lost(reason);
        }
      };
      child.once("error", (err) => exited(`could not start (${err.message})`));
      child.once("exit", (code, signal) =>
        exited(signal ? `killed by ${signal}` : `exited with code ${code}`),
      );
      child.once("spawn", () => {
        settle = clock.setTimeout(ready, this.deps.settleMs ?? 1000);
      });
    });
  }

  private kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const { clock } = this.deps;
    return new Promise((resolve) => {
      const force = clock.setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
      child.once("exit", () => {
        clock.clearTimeout(force);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }
}
