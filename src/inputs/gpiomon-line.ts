import { type BackoffConfig, backoffDelay } from "../core/backoff.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import { type DigitalLine, type Level, type LineListener, LineUnavailableError } from "./digital-line.js";
import { runTool, type SpawnTool, spawnTool, type ToolProcess, tail } from "./gpiod-process.js";
import {
  type GpiodVersion,
  gpiogetArgs,
  gpiomonArgs,
  isChipReference,
  parseGpiodetect,
  parseGpiodVersion,
  parseGpiogetOutput,
  parseGpiomonLine,
} from "./gpiod-tools.js";

export interface GpiomonCommands {
  gpiomon: string;
  gpioget: string;
  gpiodetect: string;
}

export interface GpiomonLineOptions {
  chip: string;
  line: number;
  version: "auto" | GpiodVersion;
  clock: Clock;
  spawn?: SpawnTool;
  /** Tool paths; default from PATH. */
  commands?: Partial<GpiomonCommands>;
  /** First restart delay after gpiomon exits; doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** gpiomon running this long counts as recovered: the problem clears and the backoff resets. */
  stableMs?: number;
}

/**
 * A line watched by the libgpiod tools, for kernels without sysfs GPIO (e.g. Raspberry Pi OS images
 * built without CONFIG_GPIO_SYSFS): `gpioget` for the read at start, a long-running `gpiomon` for edges,
 * restarted with exponential backoff whenever it exits.
 *
 * The character device grants a line to one process at a time, so `gpioget` cannot run while
 * `gpiomon` holds the line: `read()` returns the level from the last gpioget and the edges since,
 * and every restart reads the line again first, so an edge missed while gpiomon was down is caught.
 */
export class GpiomonLine implements DigitalLine {
  description: string;
  private readonly spawn: SpawnTool;
  private readonly cmd: GpiomonCommands;
  private version: GpiodVersion | null = null;
  private chipRef: string;
  private level: Level | null = null;
  private listener: LineListener | null = null;
  private child: ToolProcess | null = null;
  private childClosed: Promise<void> | null = null;
  private restartTimer: TimerHandle | undefined;
  private stableTimer: TimerHandle | undefined;
  /** Restarts since gpiomon last ran stably (the backoff exponent). */
  private failures = 0;
  private readonly backoff: BackoffConfig;
  private troubled = false;
  private closing = false;
  /** Number of gpiomon processes started (status, tests). */
  starts = 0;

  constructor(private readonly opts: GpiomonLineOptions) {
    this.spawn = opts.spawn ?? spawnTool;
    this.cmd = { gpiomon: "gpiomon", gpioget: "gpioget", gpiodetect: "gpiodetect", ...opts.commands };
    this.chipRef = opts.chip;
    this.backoff = { initialMs: opts.initialBackoffMs ?? 500, maxMs: opts.maxBackoffMs ?? 30_000 };
    this.description = `${opts.chip} line ${opts.line} (gpiomon)`;
  }

  async open(listener: LineListener): Promise<Level> {
    this.listener = listener;
    this.closing = false;
    try {
      this.version = await this.detectVersion();
      this.chipRef = await this.chipReference(this.version);
      this.description = `${this.opts.chip} line ${this.opts.line} (gpiomon v${this.version}, ${this.chipRef})`;
      this.level = await this.gpioget();
    } catch (err) {
      if (err instanceof LineUnavailableError) throw err;
      throw new LineUnavailableError(`cannot open ${this.description}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.startMonitor();
    return this.level;
  }

  read(): Level {
    if (this.level === null) throw new LineUnavailableError(`${this.description} is not open`);
    return this.level;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.opts.clock.clearTimeout(this.restartTimer);
    this.opts.clock.clearTimeout(this.stableTimer);
    this.restartTimer = undefined;
    this.stableTimer = undefined;
    const child = this.child;
    const closed = this.childClosed;
    this.child = null;
    if (child && closed) {
      child.kill("SIGTERM");
      await closed;
    }
    this.level = null;
  }

  private async detectVersion(): Promise<GpiodVersion> {
    if (this.opts.version !== "auto") return this.opts.version;
    const out = await runTool(this.spawn, this.opts.clock, this.cmd.gpiomon, ["--version"]);
    const version = parseGpiodVersion(out.stdout);
    if (version === null) {
      throw new LineUnavailableError(
        `cannot tell the libgpiod version from '${tail(out.stdout, 80)}': set gpiomonVersion to 1 or 2`,
      );
    }
    return version;
  }

  /** libgpiod 2.x accepts chip names, numbers and paths but not labels: look the label up with gpiodetect. */
  private async chipReference(version: GpiodVersion): Promise<string> {
    if (version === 1 || isChipReference(this.opts.chip)) return this.opts.chip;
    const out = await runTool(this.spawn, this.opts.clock, this.cmd.gpiodetect, []);
    const chips = parseGpiodetect(out.stdout);
    const matches = chips.filter((c) => c.label === this.opts.chip);
    const found = matches[0];
    if (!found || matches.length > 1) {
      const seen = chips.map((c) => `${c.name} [${c.label}]`).join(", ") || "none";
      throw new LineUnavailableError(
        `${matches.length > 1 ? "more than one" : "no"} GPIO chip labelled '${this.opts.chip}' (gpiodetect: ${seen})`,
      );
    }
    return found.name;
  }

  private async gpioget(): Promise<Level> {
    const version = this.version ?? 1;
    const out = await runTool(
      this.spawn,
      this.opts.clock,
      this.cmd.gpioget,
      gpiogetArgs(version, this.chipRef, this.opts.line),
    );
    return parseGpiogetOutput(out.stdout, version);
  }

  private report(detail: string | null): void {
    if (detail === null && !this.troubled) return;
    this.troubled = detail !== null;
    this.listener?.problem(detail);
  }

  private startMonitor(): void {
    const version = this.version ?? 1;
    let child: ToolProcess;
    try {
      child = this.spawn(this.cmd.gpiomon, gpiomonArgs(version, this.chipRef, this.opts.line));
    } catch (err) {
      this.scheduleRestart(`cannot start gpiomon: ${(err as Error).message}`);
      return;
    }
    this.starts += 1;
    this.child = child;
    let stderr = "";
    let pending = "";
    let failure: string | null = null;
    child.stdout?.on("data", (chunk: Buffer | string) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) this.onOutput(line, version);
    });
    child.stderr?.on("data", (chunk: Buffer | string) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    this.childClosed = new Promise((resolve) => {
      let finished = false;
      const finish = (why: string) => {
        if (finished) return;
        finished = true;
        resolve();
        if (this.child === child) this.child = null;
        this.opts.clock.clearTimeout(this.stableTimer);
        if (!this.closing) this.scheduleRestart(`${why}${stderr.trim() ? `: ${tail(stderr)}` : ""}`);
      };
      child.once("error", (err) => {
        failure = err.message;
        finish(`gpiomon could not run (${err.message})`);
      });
      child.once("close", (code, signal) =>
        finish(failure ?? `gpiomon exited (${signal ?? `exit ${code}`})`),
      );
    });
    const stableMs = this.opts.stableMs ?? 2000;
    this.stableTimer = this.opts.clock.setTimeout(() => {
      this.failures = 0;
      this.report(null);
    }, stableMs);
  }

  private onOutput(line: string, version: GpiodVersion): void {
    const event = parseGpiomonLine(line, version);
    if (!event || event.offset !== this.opts.line) return;
    this.level = event.level;
    this.listener?.edge(event.level);
  }

  private scheduleRestart(why: string): void {
    const delay = backoffDelay(this.failures++, this.backoff);
    this.report(`${why}; restarting in ${delay} ms`);
    this.restartTimer = this.opts.clock.setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart();
    }, delay);
  }

  /** Read the line again (an edge may have been missed while gpiomon was down), then watch it again. */
  private async restart(): Promise<void> {
    if (this.closing) return;
    let level: Level;
    try {
      level = await this.gpioget();
    } catch (err) {
      if (!this.closing) this.scheduleRestart(`gpioget failed: ${(err as Error).message}`);
      return;
    }
    if (this.closing) return;
    if (level !== this.level) {
      this.level = level;
      this.listener?.edge(level);
    }
    this.startMonitor();
  }
}
