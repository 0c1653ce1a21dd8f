// The in-car broker for the soak and the end-to-end bench: the project's shipped Mosquitto configuration
// (config/mosquitto/: TLS listener, client certificates as identity, the shipped ACL) started through the
// body-cam work's MosquittoProcess, with certificates from scripts/make-certs.sh for the daemon, every body
// cam, a read-only observer and an unpaired intruder. Restartable on the same port; persistence kept.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MosquittoProcess } from "../dist/bodycam/mosquitto-process.js";
import { repoRoot } from "./daemon-process.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Broker {
  /**
   * @param {{ dir: string, vehicleId: string, identities: string[], observers?: string[], extraAcl?: string[] }} opts
   *   extraAcl: more ACL lines (e.g. a bench's baseline publisher).
   */
  constructor(opts) {
    this.opts = opts;
    this.certDir = join(opts.dir, "certs");
    /** @type {MosquittoProcess | null} */
    this.process = null;
    this.restarts = 0;
  }

  get url() {
    return `mqtts://127.0.0.1:${this.process?.port}`;
  }

  get port() {
    return this.process?.port ?? 0;
  }

  /** ca, cert and key of one identity (its certificate CN), as mqtt.js and the reference body cam take them. */
  tls(id) {
    const f = (n) => readFileSync(join(this.certDir, n));
    return { ca: f("ca.crt"), cert: f(`${id}.crt`), key: f(`${id}.key`) };
  }

  /** Paths for the daemon's config (mqtt.caFile / certFile / keyFile). */
  tlsFiles(id) {
    return {
      caFile: join(this.certDir, "ca.crt"),
      certFile: join(this.certDir, `${id}.crt`),
      keyFile: join(this.certDir, `${id}.key`),
    };
  }

  async start() {
    const { dir, identities, observers = [], vehicleId, extraAcl = [] } = this.opts;
    execFileSync(
      "bash",
      [join(repoRoot, "scripts/make-certs.sh"), this.certDir, ...identities, ...observers],
      { stdio: "ignore" },
    );
    // The shipped ACL, plus read-only access to this car's whole tree for observers (the soak's witness).
    const acl = join(dir, "acl");
    const extra = [
      ...observers.flatMap((u) => [`user ${u}`, `topic read camsync/v1/${vehicleId}/#`]),
      ...extraAcl,
    ];
    writeFileSync(
      acl,
      `${readFileSync(join(repoRoot, "config/mosquitto/acl"), "utf8")}\n# soak observers\n${extra.join("\n")}\n`,
    );
    this.process = await MosquittoProcess.start({
      dir,
      shippedConfigPath: join(repoRoot, "config/mosquitto/mosquitto.conf"),
      aclFile: acl,
      certDir: this.certDir,
    });
  }

  /** `systemctl restart mosquitto` with `downMs` of downtime (SIGTERM: persistence saved). */
  async restart(downMs = 500) {
    const p = this.process;
    if (!p) throw new Error("broker not started");
    await p.stop("SIGTERM");
    await sleep(downMs);
    await p.launch();
    this.restarts++;
  }

  async stop() {
    await this.process?.stop("SIGTERM");
  }
}
