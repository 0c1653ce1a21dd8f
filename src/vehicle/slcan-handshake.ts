import type { Clock, TimerHandle } from "../core/clock.js";
import { bitrateCommand, SLCAN_COMMANDS } from "./slcan-commands.js";
import type { SlcanMessage } from "./slcan-parser.js";

/** Adapter answers to a command: CR (ack), BEL (nack) or a reply line. */
export type SlcanReply = Extract<
  SlcanMessage,
  { kind: "ack" | "nack" | "version" | "serial" | "status-flags" }
>;

export interface HandshakeStep {
  command: string;
  /** What the step does, for errors and logs. */
  purpose: string;
  /** "ack": CR required; "ack-or-nack": either is fine; "version": a V reply (optional step). */
  expects: "ack" | "ack-or-nack" | "version";
  /** An optional step that fails or times out is logged and skipped. */
  optional: boolean;
}

export interface SlcanOpenConfig {
  bitrate: number;
  listenOnly: boolean;
  timestamps: boolean;
  queryVersion: boolean;
}

/**
 * The open sequence: close the channel (it may still be open from an earlier session; a BEL here just means
 * "already closed"), optionally ask the version, set the bitrate, optionally turn on timestamps (only
 * accepted while closed), then open listen-only (`L`, the default: the car's bus is never written to) or
 * normal (`O`). Throws for a bitrate SLCAN cannot select.
 */
export function slcanOpenSequence(cfg: SlcanOpenConfig): HandshakeStep[] {
  const steps: HandshakeStep[] = [
    { command: SLCAN_COMMANDS.close, purpose: "close the channel", expects: "ack-or-nack", optional: false },
  ];
  if (cfg.queryVersion) {
    steps.push({
      command: SLCAN_COMMANDS.version,
      purpose: "read the version",
      expects: "version",
      optional: true,
    });
  }
  steps.push({
    command: bitrateCommand(cfg.bitrate),
    purpose: `set the bitrate to ${cfg.bitrate} bit/s`,
    expects: "ack",
    optional: false,
  });
  if (cfg.timestamps) {
    steps.push({
      command: SLCAN_COMMANDS.timestampsOn,
      purpose: "turn on timestamps",
      expects: "ack",
      optional: false,
    });
  }
  steps.push(
    cfg.listenOnly
      ? { command: SLCAN_COMMANDS.listenOnly, purpose: "open listen-only", expects: "ack", optional: false }
      : { command: SLCAN_COMMANDS.open, purpose: "open the channel", expects: "ack", optional: false },
  );
  return steps;
}

export class SlcanHandshakeError extends Error {
  override name = "SlcanHandshakeError";
}

/** Sends one command and waits for its reply (or "timeout"). */
export type SlcanRequest = (command: string, timeoutMs: number) => Promise<SlcanReply | "timeout">;

export interface HandshakeResult {
  /** e.g. "1013", or null when not asked or not answered. */
  version: string | null;
  /** Optional steps that were skipped, with why. */
  skipped: string[];
}

const show = (command: string) => `'${command.replace(/\r$/, "")}'`;

export async function runSlcanHandshake(
  steps: HandshakeStep[],
  request: SlcanRequest,
  timeoutMs: number,
): Promise<HandshakeResult> {
  const result: HandshakeResult = { version: null, skipped: [] };
  for (const step of steps) {
    const reply = await request(step.command, timeoutMs);
    let problem: string | null = null;
    if (reply === "timeout") problem = `no reply to ${show(step.command)} within ${timeoutMs} ms`;
    else if (step.expects === "version") {
      if (reply.kind === "version") result.version = reply.raw;
      else problem = `unexpected reply '${reply.kind}' to ${show(step.command)}`;
    } else if (reply.kind === "nack") {
      if (step.expects !== "ack-or-nack") problem = `adapter refused ${show(step.command)} (BEL)`;
    } else if (reply.kind !== "ack") {
      problem = `unexpected reply '${reply.kind}' to ${show(step.command)}`;
    }
    if (problem === null) continue;
    if (step.optional) result.skipped.push(`${step.purpose}: ${problem}`);
    else throw new SlcanHandshakeError(`SLCAN open failed (${step.purpose}): ${problem}`);
  }
  return result;
}

/** Matches adapter replies to the one outstanding command, with a timeout on the injected clock. */
export class SlcanReplyWaiter {
  private pending: { resolve: (r: SlcanReply | "timeout") => void; timer: TimerHandle } | undefined;
  /** Replies that arrived with nobody waiting (late answers, stray CRs). */
  unsolicited = 0;

  constructor(private readonly clock: Clock) {}

  /** Start waiting (call before writing the command: the reply can be quick). */
  expect(timeoutMs: number): Promise<SlcanReply | "timeout"> {
    this.cancel();
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pending = undefined;
        resolve("timeout");
      }, timeoutMs);
      this.pending = { resolve, timer };
    });
  }

  /** Offer a parsed message; returns true if it answered the outstanding command. */
  offer(message: SlcanMessage): boolean {
    if (
      message.kind !== "ack" &&
      message.kind !== "nack" &&
      message.kind !== "version" &&
      message.kind !== "serial" &&
      message.kind !== "status-flags"
    ) {
      return false;
    }
    const p = this.pending;
    if (!p) {
      this.unsolicited++;
      return false;
    }
    this.pending = undefined;
    this.clock.clearTimeout(p.timer);
    p.resolve(message);
    return true;
  }

  /** Give up on the outstanding command (port gone, stopping): it resolves as "timeout". */
  cancel(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.clock.clearTimeout(p.timer);
    p.resolve("timeout");
  }
}
