import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A real PostgreSQL server for tests, from Debian's packages (`/usr/lib/postgresql/{version}/bin`):
 * initdb into a temp dir, its own port on 127.0.0.1 and its Unix socket in the temp dir, stopped and
 * removed by `stop()`. As root it runs as the `postgres` user (initdb refuses root), and it gets a
 * parent-death signal so it never outlives the test process.
 */
export function postgresBinDir(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], "bin") : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class PostgresServer {
  readonly dir = mkdtempSync(join(tmpdir(), "camsync-pg-"));
  port = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log = "";
  private dbCounter = 0;

  constructor(private readonly bin: string) {}

  /** Run as `postgres` when we are root. */
  private command(cmd: string, args: string[]): [string, string[]] {
    const exe = join(this.bin, cmd);
    if (userInfo().uid !== 0) return ["setpriv", ["--pdeathsig", "SIGQUIT", exe, ...args]];
    return [
      "setpriv",
      ["--reuid=postgres", "--regid=postgres", "--init-groups", "--pdeathsig", "SIGQUIT", exe, ...args],
    ];
  }

  async start(): Promise<void> {
    const data = join(this.dir, "data");
    const sockets = join(this.dir, "sock");
    mkdirSync(sockets);
    if (userInfo().uid === 0) {
      const pw = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
      const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
      chownSync(this.dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
      chownSync(sockets, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
    }
    const [initCmd, initArgs] = this.command("initdb", [
      "-D",
      data,
      "-U",
      "camsync",
      "--auth=trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    const init = spawnSync(initCmd, initArgs, { encoding: "utf8" });
    if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr}${init.stdout}`);
    for (let attempt = 0; ; attempt++) {
      this.port = await freePort();
      try {
        await this.launch(data, sockets);
        return;
      } catch (err) {
        if (attempt >= 2) throw err;
      }
    }
  }

  private async launch(data: string, sockets: string): Promise<void> {
    const [cmd, args] = this.command("postgres", [
      "-D",
      data,
      "-p",
      String(this.port),
      "-k",
      sockets,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
    ]);
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    this.child = child;
    this.exited = new Promise((r) => child.once("exit", () => r()));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (c: string) => {
      this.log = (this.log + c).slice(-20_000);
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`postgres exited before accepting connections:\n${this.log}`);
      try {
        const c = new pg.Client({ connectionString: this.url("postgres") });
        await c.connect();
        await c.end();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`postgres did not start: ${String(err)}\n${this.log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  url(database: string): string {
    return `postgres://camsync@127.0.0.1:${this.port}/${database}`;
  }

  /** A new empty database; its URL. */
  async createDatabase(prefix = "t"): Promise<string> {
    this.dbCounter += 1;
    const name = `${prefix}_${process.pid}_${this.dbCounter}`;
    const c = new pg.Client({ connectionString: this.url("postgres") });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${name}`);
    } finally {
      await c.end();
    }
    return this.url(name);
  }

  /** Fast shutdown, then remove the data directory. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
