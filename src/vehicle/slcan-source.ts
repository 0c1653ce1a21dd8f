import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import { stageTrace } from "../core/stage-trace.js";
import type { CanFrame } from "./can-frame.js";
import type { CanSource } from "./can-source.js";
import { SerialLine } from "./serial-line.js";
import type { SerialPortFactory } from "./serial-port.js";
import { SLCAN_COMMANDS } from "./slcan-commands.js";
import { runSlcanHandshake, SlcanReplyWaiter, slcanOpenSequence } from "./slcan-handshake.js";
import { type SlcanBusState, type SlcanMessage, SlcanParser } from "./slcan-parser.js";
import { SlcanTimeline } from "./slcan-timeline.js";
import type { SlcanSourceConfig } from "./source-config.js";

export interface SlcanSourceDeps {
  clock: Clock;
  bus: EventBus;
  logger?: Logger;
  portFactory?: SerialPortFactory;
  /** Health component name (default "can"). */
  component?: string;
}

/** Frames held between sending the open command and processing its reply (a few reads' worth). */
const MAX_HELD_FRAMES = 10_000;
/** Garbage lines are logged at most this often (the count is always in status()). */
const GARBAGE_LOG_INTERVAL_MS = 10_000;

/**
 * CAN frames from an SLCAN adapter on a self-reconnecting serial line. Each (re)open runs the handshake
 * (close, [version], bitrate, [timestamps], listen-only/open); frames flow to the consumer only once the
 * channel is open. Garbage lines, NACKs, FD frames and bus errors are counted, never thrown.
 */
export class SlcanSource implements CanSource {
  readonly name = "slcan";
  private listener: (frames: CanFrame[]) => void = () => {};
  private readonly parser: SlcanParser;
  private readonly timeline: SlcanTimeline | undefined;
  private readonly waiter: SlcanReplyWaiter;
  private readonly line: SerialLine;
  private streaming = false;
  /** Frames that arrived after the open command was sent, before its CR was processed. */
  private opening: CanFrame[] | null = null;
  private frames = 0;
  private droppedBeforeOpen = 0;
  private fdSkipped = 0;
  private version: string | null = null;
  private busState: SlcanBusState | null = null;
  private busErrors = 0;
  private lastGarbage: { reason: string; line: string; at: number } | null = null;
  private garbageLoggedAt = Number.NEGATIVE_INFINITY;
  private garbageSinceLog = 0;

  constructor(
    private readonly config: SlcanSourceConfig,
    private readonly deps: SlcanSourceDeps,
  ) {
    // Validate the bitrate now (throws RangeError), not on the first connect.
    slcanOpenSequence(config);
    this.timeline = config.timestamps ? new SlcanTimeline() : undefined;
    this.parser = new SlcanParser({
      channel: config.channel,
      ...(this.timeline ? { timeline: this.timeline } : {}),
    });
    this.waiter = new SlcanReplyWaiter(deps.clock);
    const log = deps.logger?.child({ component: "slcan", path: config.path });
    this.line = new SerialLine({
      path: config.path,
      baudRate: config.baudRate,
      clock: deps.clock,
      bus: deps.bus,
      component: deps.component ?? "can",
      backoff: config.reconnect,
      ...(deps.portFactory ? { portFactory: deps.portFactory } : {}),
      onData: (chunk) => this.onData(chunk),
      onOpen: () => this.handshake(),
      onClose: () => this.onClose(),
      ...(log ? { log: (level: "info" | "warn", msg: string) => log[level](msg) } : {}),
    });
  }

  onFrames(listener: (frames: CanFrame[]) => void): void {
    this.listener = listener;
  }

  async start(): Promise<void> {
    this.line.start();
  }

  async stop(): Promise<void> {
    if (this.streaming) {
      // Close the CAN channel politely; the port is closed right after whatever the adapter answers.
      this.streaming = false;
      const reply = this.waiter.expect(200);
      await this.line.write(SLCAN_COMMANDS.close).catch(() => this.waiter.cancel());
      await reply;
    }
    this.waiter.cancel();
    await this.line.stop();
  }

  status(): Record<string, unknown> {
    const s = this.parser.stats;
    return {
      type: "slcan",
      ...this.line.status(),
      streaming: this.streaming,
      bitrate: this.config.bitrate,
      listenOnly: this.config.listenOnly,
      adapterVersion: this.version,
      frames: this.frames,
      droppedBeforeOpen: this.droppedBeforeOpen,
      garbage: s.garbage,
      overlong: s.overlong,
      nacks: s.nacks,
      fdSkipped: this.fdSkipped,
      busState: this.busState,
      busErrors: this.busErrors,
      lastGarbage: this.lastGarbage,
      timestampReanchors: this.timeline?.reanchors ?? null,
    };
  }

  private async handshake(): Promise<void> {
    this.streaming = false;
    const result = await runSlcanHandshake(
      slcanOpenSequence(this.config),
      (command, timeoutMs) => {
        const reply = this.waiter.expect(timeoutMs);
        // Frames can follow the open command's CR in the same read: they belong to this session.
        if (command === SLCAN_COMMANDS.listenOnly || command === SLCAN_COMMANDS.open) this.opening = [];
        return this.line.write(command).then(() => reply);
      },
      this.config.commandTimeoutMs,
    );
    this.version = result.version;
    for (const skipped of result.skipped)
      this.deps.logger?.info({ path: this.config.path }, `SLCAN: ${skipped}`);
    this.streaming = true;
    const held = this.opening;
    this.opening = null;
    if (held && held.length > 0) this.deliver(held);
  }

  private onClose(): void {
    this.streaming = false;
    this.opening = null;
    this.waiter.cancel();
    this.parser.reset();
    this.timeline?.reset();
  }

  private onData(chunk: Buffer): void {
    const out = this.parser.push(chunk, this.deps.clock.now() / 1000);
    stageTrace.mark("parsed");
    for (const m of out.messages) this.onMessage(m);
    if (out.frames.length === 0) return;
    if (this.streaming) this.deliver(out.frames);
    else if (this.opening && this.opening.length < MAX_HELD_FRAMES) this.opening.push(...out.frames);
    else this.droppedBeforeOpen += out.frames.length;
  }

  private deliver(frames: CanFrame[]): void {
    this.frames += frames.length;
    this.listener(frames);
  }

  private onMessage(m: SlcanMessage): void {
    if (this.waiter.offer(m)) return;
    switch (m.kind) {
      case "fd-frame":
        this.fdSkipped++;
        return;
      case "bus-state":
        if (m.state !== this.busState) {
          this.busState = m.state;
          if (m.state === "bus-off" || m.state === "error-passive") {
            this.deps.bus.emit("alert", {
              code: "can-bus-error",
              severity: "warning",
              message: `CAN controller reports ${m.state} (rx errors ${m.rxErrors}, tx errors ${m.txErrors})`,
              device: this.config.path,
              at: this.deps.clock.now(),
            });
          }
        }
        return;
      case "bus-error":
        this.busErrors++;
        return;
      case "garbage":
        this.onGarbage(m.reason, m.line);
        return;
      default:
        return;
    }
  }

  private onGarbage(reason: string, line: string): void {
    const now = this.deps.clock.now();
    this.lastGarbage = { reason, line, at: now };
    this.garbageSinceLog++;
    if (now - this.garbageLoggedAt < GARBAGE_LOG_INTERVAL_MS) return;
    this.deps.logger?.warn(
      { path: this.config.path, reason, line, count: this.garbageSinceLog },
      "SLCAN: ignored malformed line(s)",
    );
    this.garbageLoggedAt = now;
    this.garbageSinceLog = 0;
  }
}
