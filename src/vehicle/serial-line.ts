import type { BackoffConfig } from "../core/backoff.js";
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import { LinkSupervisor } from "./link-supervisor.js";
import { openPolledSerialPort } from "./serial-line-port.js";
import type { SerialPortFactory, SerialPortLike } from "./serial-port.js";

/** The real thing: the host's tty, opened by node-serialport and read on the event loop (serial-line-port.ts). */
export const systemSerialPort: SerialPortFactory = openPolledSerialPort;

export interface SerialLineOptions {
  /** Prefer the stable `/dev/serial/by-id/…` link: it survives re-enumeration after an unplug. */
  path: string;
  baudRate: number;
  clock: Clock;
  bus: EventBus;
  /** Health component reported on the bus (e.g. "can", "gps"). */
  component: string;
  backoff: BackoffConfig;
  portFactory?: SerialPortFactory;
  /** Every received chunk, as read. */
  onData: (chunk: Buffer) => void;
  /** After the port opens, before the line counts as up (e.g. the SLCAN handshake). Reject to close and retry. */
  onOpen?: () => Promise<void>;
  /** The port went away or was closed: forget partial state. */
  onClose?: (reason: string) => void;
  log?: (level: "info" | "warn", msg: string) => void;
}

/**
 * A serial line that stays up by itself. node-serialport never reopens a port after an unplug (it emits
 * `close` with `err.disconnected`), and opening fails while the device is missing; this class reopens
 * with backoff until the adapter is back, reporting health `down` meanwhile (alert `serial-disconnected`).
 */
export class SerialLine {
  private port: SerialPortLike | undefined;
  private readonly supervisor: LinkSupervisor;
  private readonly factory: SerialPortFactory;
  private bytesIn = 0;
  private opens = 0;

  constructor(private readonly opts: SerialLineOptions) {
    this.factory = opts.portFactory ?? systemSerialPort;
    this.supervisor = new LinkSupervisor({
      clock: opts.clock,
      bus: opts.bus,
      component: opts.component,
      device: opts.path,
      alertCode: "serial-disconnected",
      backoff: opts.backoff,
      connect: () => this.connect(),
      disconnect: () => this.closePort(),
      ...(opts.log ? { log: opts.log } : {}),
    });
  }

  get isUp(): boolean {
    return this.supervisor.current === "up";
  }

  /** Monotonic time the line last came up (opened and set up), or null while down. */
  get upSinceMonotonic(): number | null {
    return this.supervisor.upSinceMonotonic;
  }

  start(): void {
    this.supervisor.start();
  }

  stop(): Promise<void> {
    return this.supervisor.stop();
  }

  /** Write to the open port; rejects when it is not open. */
  write(data: string | Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new Error(`${this.opts.path} is not open`));
    return new Promise((resolve, reject) => {
      port.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  status() {
    return {
      path: this.opts.path,
      baudRate: this.opts.baudRate,
      bytesIn: this.bytesIn,
      opens: this.opens,
      ...this.supervisor.status(),
    };
  }

  private async connect(): Promise<void> {
    const port = this.factory(this.opts.path, this.opts.baudRate);
    this.port = port;
    port.on("error", (err) => this.opts.log?.("warn", `${this.opts.path}: ${err.message}`));
    port.on("data", (chunk) => {
      if (this.port !== port) return;
      this.bytesIn += chunk.length;
      this.opts.onData(chunk);
    });
    port.on("close", (err) => {
      if (this.port !== port) return;
      this.port = undefined;
      const reason = err?.disconnected
        ? "adapter disconnected"
        : `port closed${err ? `: ${err.message}` : ""}`;
      this.opts.onClose?.(reason);
      this.supervisor.lost(reason);
    });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => (err ? reject(new Error(`cannot open: ${err.message}`)) : resolve()));
    });
    if (this.port !== port) {
      // Stopped (or superseded) while opening: do not leak the descriptor.
      await new Promise<void>((resolve) => port.close(() => resolve()));
      throw new Error("cancelled");
    }
    this.opens++;
    if (this.opts.onOpen) await this.opts.onOpen();
  }

  private closePort(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port) return Promise.resolve();
    this.opts.onClose?.("closed");
    return new Promise((resolve) => {
      if (!port.isOpen) {
        port.removeAllListeners();
        port.on("error", () => {});
        resolve();
        return;
      }
      port.close(() => {
        port.removeAllListeners();
        port.on("error", () => {});
        resolve();
      });
    });
  }
}
