// A real Mosquitto broker for the soak and the end-to-end bench: password file, per-user ACL (a body cam
// writes only under its own bodycam/{id}/), persistence (retained messages and queued QoS 1 messages
// survive a restart), on a free port on 127.0.0.1. Restartable on the same port.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A TCP port nobody listens on right now (the kernel's choice). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Mosquitto {
  /**
   * @param {{ dir: string, vehicleId: string, users: Record<string, string>, daemonUser: string,
   *           readers?: string[], port?: number, bin?: string }} opts
   *   users: username → password (the daemon, body cams, observers, rogue clients alike).
   *   readers: users that may read everything under the vehicle's root (observers); body cams read it anyway.
   */
  constructor(opts) {
    this.opts = opts;
    this.dir = opts.dir;
    this.port = opts.port ?? 0;
    /** @type {import("node:child_process").ChildProcess | null} */
    this.child = null;
    this.starts = 0;
    this.conf = join(this.dir, "mosquitto.conf");
  }

  get url() {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  writeConfig() {
    const { dir, vehicleId, users, daemonUser, readers = [] } = this.opts;
    mkdirSync(join(dir, "persist"), { recursive: true });
    const passwd = join(dir, "passwd");
    writeFileSync(passwd, "", { mode: 0o600 });
    for (const [user, pass] of Object.entries(users)) {
      const r = spawnSync("mosquitto_passwd", ["-b", passwd, user, pass], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
    }
    writeFileSync(join(dir, "acl"), aclFor(vehicleId, daemonUser, readers));
    writeFileSync(
      this.conf,
      [
        "user root",
        "per_listener_settings false",
        "allow_anonymous false",
        `password_file ${passwd}`,
        `acl_file ${join(dir, "acl")}`,
        "persistence true",
        `persistence_location ${join(dir, "persist")}/`,
        "autosave_interval 1",
        "autosave_on_changes false",
        "persistent_client_expiration 7d",
        "max_queued_messages 1000",
        "max_packet_size 65536",
        `log_dest file ${join(dir, "mosquitto.log")}`,
        "log_type error",
        "log_type warning",
        "log_type notice",
        "log_type information",
        "connection_messages true",
        `listener ${this.port} 127.0.0.1`,
        "",
      ].join("\n"),
    );
  }

  /** Start (or start again, on the same port) and resolve once it accepts TCP connections. */
  async start() {
    if (this.port === 0) this.port = await freePort();
    if (this.starts === 0) this.writeConfig();
    const child = spawn(this.opts.bin ?? "mosquitto", ["-c", this.conf], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (c) => {
      stderr += c;
    });
    this.child = child;
    this.starts++;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited ${child.exitCode}: ${stderr}`);
      if (await canConnect(this.port)) return;
      await sleep(25);
    }
    throw new Error(`mosquitto did not listen on ${this.port} within 10 s: ${stderr}`);
  }

  /** Stop it like `systemctl stop` (SIGTERM: it saves its persistence database). */
  async stop(signal = "SIGTERM") {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    const t = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(t);
  }

  /** `systemctl restart mosquitto`: down for `downMs`, then up again on the same port. */
  async restart(downMs = 500) {
    await this.stop();
    await sleep(downMs);
    await this.start();
  }
}

/**
 * The shipped ACL (config/mosquitto/acl: the daemon reads and writes the tree, a body cam writes only under
 * its own bodycam/{id}/) plus read-only observers. Written out here when the shipped file is absent.
 */
export function aclFor(vehicleId, daemonUser, readers) {
  const shipped = join(dirname(fileURLToPath(import.meta.url)), "../config/mosquitto/acl");
  const base =
    daemonUser === "camsync" && existsSync(shipped)
      ? readFileSync(shipped, "utf8")
      : [
          `user ${daemonUser}`,
          "topic readwrite camsync/v1/#",
          "pattern write camsync/v1/+/bodycam/%u/#",
          "pattern read camsync/v1/+/bodycam/%u/#",
          "pattern read camsync/v1/+/activation",
          "pattern read camsync/v1/+/status",
        ].join("\n");
  const observers = readers.flatMap((u) => [`user ${u}`, `topic read camsync/v1/${vehicleId}/#`]);
  return `${base}\n\n# soak observers (read-only)\n${observers.join("\n")}\n`;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
