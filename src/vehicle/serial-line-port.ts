import { EventEmitter } from "node:events";
import { readSync } from "node:fs";
import { stageTrace } from "../core/stage-trace.js";
import type { SerialPortLike } from "./serial-port.js";

/** What this file needs of a node-serialport (bindings-cpp) Unix port binding. */
interface PolledBinding {
  readonly fd: number | null;
  readonly isOpen: boolean;
  readonly poller: {
    once(event: "readable", cb: (err: Error | null) => void): unknown;
  };
  write(buffer: Buffer): Promise<void>;
  close(): Promise<void>;
}

function isPolled(binding: object): binding is PolledBinding {
  return "poller" in binding && "fd" in binding && typeof binding.fd === "number";
}

const READ_SIZE = 64 * 1024;

/**
 * A serial port with a lean read path, for inputs that stream all day (a CAN adapter at thousands of
 * frames/s). node-serialport opens and configures the device (termios: baud rate, raw mode, exclusive
 * lock) through its platform binding; reads then happen on the event-loop thread whenever the binding's
 * poller reports the descriptor readable — one non-blocking read(2) per wake-up instead of the stream
 * layer's thread-pool read plus a second read that ends in EAGAIN. This roughly halves the CPU spent on
 * a live SLCAN feed. Writes and close go through the binding unchanged.
 *
 * Emits `data`, `error`, and `close` (with `err.disconnected = true` when the device went away, as
 * node-serialport does). A platform binding without a poller (Windows) is refused when opening.
 */
export class PolledSerialPort extends EventEmitter implements SerialPortLike {
  private binding: PolledBinding | null = null;
  private closing = false;
  private writing: Promise<unknown> = Promise.resolve();
  private readonly buffer = Buffer.allocUnsafe(READ_SIZE);

  constructor(
    private readonly path: string,
    private readonly baudRate: number,
  ) {
    super();
  }

  get isOpen(): boolean {
    return this.binding?.isOpen === true && !this.closing;
  }

  open(cb: (err: Error | null) => void): void {
    // node-serialport (~10 MiB resident with its parsers and bindings) is loaded when a line first opens,
    // so a daemon without a CAN adapter or serial GPS never pays for it.
    import("serialport")
      .then(
        ({ SerialPort }): Promise<object & { close(): Promise<void> }> =>
          SerialPort.binding.open({ path: this.path, baudRate: this.baudRate }),
      )
      .then(
        (binding) => {
          if (!isPolled(binding)) {
            void binding.close();
            cb(new Error("this platform's serial binding has no poller"));
            return;
          }
          this.binding = binding;
          cb(null);
          this.waitReadable(binding);
        },
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
  }

  write(data: string | Uint8Array, cb: (err: Error | null | undefined) => void): boolean {
    const binding = this.binding;
    if (!binding || this.closing) {
      cb(new Error("Port is not open"));
      return false;
    }
    const buf = typeof data === "string" ? Buffer.from(data, "latin1") : Buffer.from(data);
    // The binding refuses overlapping writes: queue them.
    this.writing = this.writing.then(() =>
      binding.write(buf).then(
        () => cb(null),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      ),
    );
    return true;
  }

  close(cb: (err: Error | null) => void): void {
    const binding = this.binding;
    if (!binding || this.closing) {
      cb(new Error("Port is not open"));
      return;
    }
    this.closing = true;
    binding.close().then(
      () => {
        this.emit("close");
        cb(null);
      },
      (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private waitReadable(binding: PolledBinding): void {
    binding.poller.once("readable", (err) => {
      if (this.closing || this.binding !== binding) return;
      if (err) {
        this.disconnected(binding, err);
        return;
      }
      this.readAvailable(binding);
    });
  }

  private readAvailable(binding: PolledBinding): void {
    const fd = binding.fd;
    if (fd === null) return;
    let n: number;
    stageTrace.begin("read");
    try {
      n = readSync(fd, this.buffer, 0, READ_SIZE, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN" || code === "EWOULDBLOCK" || code === "EINTR") {
        this.waitReadable(binding);
        return;
      }
      this.disconnected(binding, e instanceof Error ? e : new Error(String(e)));
      return;
    }
    // read(2) returning 0 on a non-blocking tty means it was hung up (device gone).
    if (n === 0) {
      this.disconnected(binding, new Error("device hung up"));
      return;
    }
    this.emit("data", Buffer.from(this.buffer.subarray(0, n)));
    // A full buffer may mean more is waiting: read again at once; otherwise wait for the next wake-up.
    if (this.closing || this.binding !== binding) return;
    if (n === READ_SIZE) setImmediate(() => this.readAvailable(binding));
    else this.waitReadable(binding);
  }

  private disconnected(binding: PolledBinding, err: Error): void {
    if (this.closing) return;
    this.closing = true;
    void binding.close().catch(() => {});
    this.emit("close", Object.assign(err, { disconnected: true }));
  }
}

/** The default serial port (Linux, macOS: bindings whose poller PolledSerialPort reads on the event loop). */
export function openPolledSerialPort(path: string, baudRate: number): SerialPortLike {
  return new PolledSerialPort(path, baudRate);
}
