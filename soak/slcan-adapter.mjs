// Simulated SLCAN USB adapters on real pseudo-terminals. Both answer the daemon's SLCAN commands as an
// adapter would and forward bus traffic only while the channel is open.
// - `SlcanAdapter`: socat links the adapter end (which this process holds) to the device path the daemon
//   opens, as /dev/serial/by-id/… would be. `unplug()` kills socat (the device node disappears, the daemon's
//   reads fail); `plugIn()` brings it back at the same path. The soak's adapter.
// - `DirectPtyAdapter`: this process holds the pseudo-terminal's master itself (inherited, see
//   bench/_pty.mjs), so a frame written here goes through the kernel's tty layer straight to the daemon, as a
//   USB adapter's driver pushes it; socat's relay process is not on the path. For timing benchmarks.
import { spawn } from "node:child_process";
import { existsSync, writeSync } from "node:fs";
import { join } from "node:path";
import tty from "node:tty";
import { SerialPort } from "serialport";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The adapter's side of the SLCAN protocol: command answers and the channel's open/closed state. */
class SlcanResponder {
  /** @param {{ version?: string }} opts */
  constructor(opts) {
    this.opts = opts;
    /** Commands received from the daemon, with the time they arrived. */
    this.commands = [];
    /** true after `O` or `L` and until `C`: the adapter forwards bus traffic only while the channel is open. */
    this.channelOpen = false;
    this.pending = "";
  }

  onCommandBytes(chunk) {
    this.pending += chunk.toString("latin1");
    let i = this.pending.indexOf("\r");
    while (i >= 0) {
      const cmd = this.pending.slice(0, i);
      this.pending = this.pending.slice(i + 1);
      this.commands.push({ at: Date.now(), cmd });
      if (cmd === "O" || cmd === "L") this.channelOpen = true;
      if (cmd === "C") this.channelOpen = false;
      const answer =
        cmd === "V"
          ? `V${this.opts.version ?? "1013"}\r`
          : cmd === "N"
            ? "NSOAK\r"
            : /^(C|S[0-8]|L|O|Z[01]|F)$/.test(cmd)
              ? "\r"
              : "\x07";
      this.rawWrite(answer);
      i = this.pending.indexOf("\r");
    }
  }

  /** @param {string} _text @returns {boolean} */
  rawWrite(_text) {
    throw new Error("not implemented");
  }

  /** Bus traffic: dropped (as by a real adapter) unless the daemon has opened the channel. */
  writeFrames(text) {
    if (!this.channelOpen) return false;
    return this.rawWrite(text);
  }

  /** Resolves once the daemon has opened the channel (or rejects after `timeoutMs`). */
  async waitOpen(timeoutMs = 15_000) {
    const end = Date.now() + timeoutMs;
    while (!this.channelOpen) {
      if (Date.now() > end) throw new Error("the daemon did not open the SLCAN channel");
      await sleep(20);
    }
  }
}

export class SlcanAdapter extends SlcanResponder {
  /** @param {{ dir: string, version?: string }} opts */
  constructor(opts) {
    super(opts);
    /** The path the daemon's config points at. */
    this.devicePath = join(opts.dir, "ttyCAN");
    this.adapterPath = join(opts.dir, "ttyCAN-adapter");
    /** @type {import("node:child_process").ChildProcess | null} */
    this.socat = null;
    /** @type {SerialPort | null} */
    this.port = null;
    this.plugs = 0;
    this.writeErrors = 0;
  }

  get pluggedIn() {
    return this.port !== null;
  }

  async plugIn() {
    if (this.socat) return;
    const socat = spawn(
      "socat",
      [`pty,raw,echo=0,link=${this.adapterPath}`, `pty,raw,echo=0,link=${this.devicePath}`],
      { stdio: "ignore" },
    );
    this.socat = socat;
    const end = Date.now() + 5000;
    while (!(existsSync(this.adapterPath) && existsSync(this.devicePath))) {
      if (socat.exitCode !== null || Date.now() > end) throw new Error("socat did not create the PTY pair");
      await sleep(5);
    }
    const port = new SerialPort({ path: this.adapterPath, baudRate: 115_200, autoOpen: false });
    port.on("error", () => {});
    await new Promise((resolve, reject) => port.open((err) => (err ? reject(err) : resolve(undefined))));
    port.on("data", (chunk) => this.onCommandBytes(chunk));
    this.port = port;
    this.channelOpen = false;
    this.plugs++;
  }

  /** Pull the adapter out: socat exits (SIGTERM removes the device link), the daemon's port errors. */
  async unplug() {
    const port = this.port;
    const socat = this.socat;
    this.port = null;
    this.socat = null;
    this.channelOpen = false;
    if (port?.isOpen) await new Promise((r) => port.close(() => r(undefined)));
    if (socat && socat.exitCode === null && socat.signalCode === null) {
      const exited = new Promise((r) => socat.once("exit", r));
      socat.kill("SIGTERM");
      await exited;
    }
  }

  /** Write bytes as the adapter would (frames, garbage). Returns false when unplugged. */
  rawWrite(text) {
    const port = this.port;
    if (!port) return false;
    port.write(Buffer.from(text, "latin1"), (err) => {
      if (err) this.writeErrors++;
    });
    return true;
  }

  /**
   * Bytes on the line now: one write(2) on the PTY from this thread (port.write goes through libuv's
   * thread pool first), for benchmarks that time from the moment a frame is on the serial line.
   */
  writeFramesNow(text) {
    const fd = this.port?.port?.fd;
    if (!this.channelOpen || typeof fd !== "number") return false;
    writeSync(fd, Buffer.from(text, "latin1"));
    return true;
  }
}

/**
 * The adapter end of a pseudo-terminal this process already holds: `fds` from bench/_pty.mjs (the master,
 * and the slave kept open so the line is never hung up between the daemon's opens). The daemon opens
 * `devicePath` (/dev/pts/N).
 */
export class DirectPtyAdapter extends SlcanResponder {
  /** @param {{ master: number, slave: number, path: string }} fds @param {{ version?: string }} [opts] */
  constructor(fds, opts = {}) {
    super(opts);
    this.fd = fds.master;
    this.devicePath = fds.path;
    this.writeErrors = 0;
    this.stream = new tty.ReadStream(fds.master);
    this.stream.on("data", (chunk) => this.onCommandBytes(chunk));
    this.stream.on("error", () => {});
  }

  rawWrite(text) {
    try {
      writeSync(this.fd, Buffer.from(text, "latin1"));
      return true;
    } catch {
      // EAGAIN: the line's buffer is full (nobody reading); a real adapter drops the frame too.
      this.writeErrors++;
      return false;
    }
  }

  /** Bytes on the line now: one write(2) on the master, from this thread. */
  writeFramesNow(text) {
    return this.writeFrames(text);
  }

  close() {
    this.stream.destroy();
  }
}
