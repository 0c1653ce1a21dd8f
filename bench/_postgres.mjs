// A throw-away PostgreSQL server for the station benchmarks (Debian's /usr/lib/postgresql/*/bin),
// like test/support/postgres-server.ts: initdb into a temp dir, its own port, stopped after.
// Runs as `postgres` when root (initdb refuses root); dies with its parent (setpriv --pdeathsig).
import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export function postgresBin() {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const v = readdirSync(base)
    .filter((d) => existsSync(join(base, d, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(base, v, "bin") : null;
}

const port0 = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

export async function startPostgres(pg) {
  const bin = postgresBin();
  if (!bin) throw new Error("no PostgreSQL under /usr/lib/postgresql/*/bin");
  const dir = mkdtempSync(join(tmpdir(), "camsync-bench-pg-"));
  const root = userInfo().uid === 0;
  if (root) {
    const id = (f) => Number(spawnSync("id", [f, "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(dir, id("-u"), id("-g"));
  }
  const wrap = (exe, args) =>
    root
      ? [
          "setpriv",
          [
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--pdeathsig",
            "SIGQUIT",
            join(bin, exe),
            ...args,
          ],
        ]
      : ["setpriv", ["--pdeathsig", "SIGQUIT", join(bin, exe), ...args]];
  const [ic, ia] = wrap("initdb", [
    "-D",
    join(dir, "data"),
    "-U",
    "camsync",
    "--auth=trust",
    "--no-sync",
    "-E",
    "UTF8",
    "--locale=C",
  ]);
  const init = spawnSync(ic, ia, { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb: ${init.stderr}`);
  const port = await port0();
  const [pc, pa] = wrap("postgres", [
    "-D",
    join(dir, "data"),
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "shared_buffers=256MB",
  ]);
  const child = spawn(pc, pa, { stdio: "ignore" });
  const url = `postgres://camsync@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    try {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.end();
      break;
    } catch (err) {
      if (i > 300) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGINT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
