import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SerialPort } from "serialport";
import { until } from "../support/recording-bus.js";

export const hasSocat = existsSync("/usr/bin/socat") || existsSync("/usr/local/bin/socat");

/**
 * A pair of linked pseudo-terminals made by socat: the test plays the device on `devicePath`, the code
 * under test opens `hostPath` (a stable symlink, as /dev/serial/by-id/… is). Killing socat is an unplug;
 * plugging in again recreates the same links.
 */
export class SocatPair {
  readonly dir = mkdtempSync(path.join(tmpdir(), "camsync-pty-"));
  readonly devicePath = path.join(this.dir, "ttyA");
  readonly hostPath = path.join(this.dir, "ttyB");
  private proc: ChildProcess | undefined;

  async plugIn(): Promise<void> {
    this.proc = spawn(
      "socat",
      ["-d", "-d", `pty,raw,echo=0,link=${this.devicePath}`, `pty,raw,echo=0,link=${this.hostPath}`],
      { stdio: "ignore" },
    );
    await until(() => existsSync(this.devicePath) && existsSync(this.hostPath), "socat links");
  }

  async unplug(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise((r) => {
      p.once("exit", r);
      p.kill("SIGTERM");
    });
  }

  async dispose(): Promise<void> {
    await this.unplug();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Open the device end. */
  async openDevice(): Promise<DeviceEnd> {
    const port = new SerialPort({ path: this.devicePath, baudRate: 115200, autoOpen: false });
    port.on("error", () => {});
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return new DeviceEnd(port);
  }
}

/** The test's side of the line. */
export class DeviceEnd {
  constructor(readonly port: SerialPort) {}

  write(data: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(data, "latin1"), (err) =>
        err ? reject(err) : this.port.drain(() => resolve()),
      );
    });
  }

  async close(): Promise<void> {
    if (this.port.isOpen) await new Promise((r) => this.port.close(() => r(undefined)));
  }
}
