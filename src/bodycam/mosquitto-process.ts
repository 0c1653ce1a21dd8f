import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { guardUntilExit } from "../core/parent-death.js";

/**
 * A real Mosquitto for the integration tests and the bench, configured from the shipped
 * config/mosquitto/ files: same TLS listener and ACL, with the port, certificate directory,
 * ACL path and persistence directory swapped for temporary ones.
 */
export interface MosquittoLayout {
  /** The shipped mosquitto.conf text. */
  shippedConfig: string;
  port: number;
  host: string;
  /** Where ca.crt, server.crt and server.key are (scripts/make-certs.sh output). */
  certDir: string;
  aclFile: string;
  persistenceDir: string;
  /** Extra lines (e.g. `user root` when the tests run as root). */
  extra?: string[];
}

/** Pure: the shipped config with every deployment-specific directive replaced. */
export function renderMosquittoConfig(l: MosquittoLayout): string {
  const replace: Record<string, string> = {
    listener: `listener ${l.port} ${l.host}`,
    cafile: `cafile ${join(l.certDir, "ca.crt")}`,
    certfile: `certfile ${join(l.certDir, "server.crt")}`,
    keyfile: `keyfile ${join(l.certDir, "server.key")}`,
    acl_file: `acl_file ${l.aclFile}`,
    persistence_location: `persistence_location ${l.persistenceDir.endsWith("/") ? l.persistenceDir : `${l.persistenceDir}/`}`,
  };
  const seen = new Set<string>();
  const lines = l.shippedConfig.split("\n").map((line) => {
    const key = line.trim().split(/\s+/)[0] ?? "";
    // The machine's own drop-ins (bridges, other listeners) have no place in a test broker.
    if (key === "include_dir") return `# ${line.trim()} (left out here)`;
    const r = replace[key];
    if (r === undefined) return line;
    seen.add(key);
    return r;
  });
  const missing = Object.keys(replace).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new Error(`shipped mosquitto.conf lacks: ${missing.join(", ")}`);
  return [...lines, "log_dest stderr", ...(l.extra ?? [])].join("\n");
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export class MosquittoProcess {
  private child: ChildProcess | null = null;
  private stderr = "";

  constructor(
    readonly configPath: string,
    readonly port: number,
  ) {}

  /** Write the config into `dir` and start Mosquitto on a free loopback port. */
  static async start(opts: {
    dir: string;
    shippedConfigPath: string;
    aclFile: string;
    certDir: string;
    port?: number;
  }): Promise<MosquittoProcess> {
    const port = opts.port ?? (await freePort());
    const persistenceDir = join(opts.dir, "persistence");
    mkdirSync(persistenceDir, { recursive: true });
    const config = renderMosquittoConfig({
      shippedConfig: readFileSync(opts.shippedConfigPath, "utf8"),
      port,
      host: "127.0.0.1",
      certDir: opts.certDir,
      aclFile: opts.aclFile,
      persistenceDir,
      extra: process.getuid?.() === 0 ? ["user root"] : [],
    });
    const configPath = join(opts.dir, "mosquitto.conf");
    writeFileSync(configPath, config);
    const m = new MosquittoProcess(configPath, port);
    await m.launch();
    return m;
  }

  get log(): string {
    return this.stderr;
  }

  async launch(): Promise<void> {
    // a test or bench run killed midway must not leave its broker behind (`core/parent-death.ts`)
    const child = guardUntilExit(
      spawn("mosquitto", ["-c", this.configPath], { stdio: ["ignore", "ignore", "pipe"] }),
    );
    this.child = child;
    child.stderr?.on("data", (d: Buffer) => {
      this.stderr += d.toString();
    });
    const until = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`mosquitto exited (${child.exitCode ?? child.signalCode}):\n${this.stderr}`);
      }
      if (await accepts(this.port)) return;
      if (Date.now() > until)
        throw new Error(`mosquitto did not start listening on ${this.port}:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stop (SIGTERM: persistence is saved) or kill (SIGKILL: nothing saved). */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill(signal);
    await exited;
  }

  async restart(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    await this.stop(signal);
    this.stderr = "";
    await this.launch();
  }
}
