import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Db, openDb } from "../../src/station/db.js";
import { PostgresServer, postgresBinDir } from "./postgres-server.js";

/**
 * The two database engines the station suite runs against (`describe.each(engines)`): embedded
 * PGlite in a temp dir, and a real PostgreSQL server started for the test file. Each `open()` gives a
 * fresh, migrated database.
 */
export interface Engine {
  name: "pglite" | "postgres";
  /** Start what the engine needs (PostgreSQL: the server). */
  setup(): Promise<void>;
  open(): Promise<Db>;
  /** Connection settings for a second process on the same database as the last `open()`. */
  lastUrl(): { url?: string; dataDir: string };
  teardown(): Promise<void>;
}

export function pgliteEngine(): Engine {
  const dirs: string[] = [];
  return {
    name: "pglite",
    async setup() {},
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "camsync-pglite-"));
      dirs.push(dir);
      return openDb({ dataDir: dir });
    },
    lastUrl() {
      return { dataDir: dirs[dirs.length - 1] ?? "" };
    },
    async teardown() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function postgresEngine(): Engine {
  const bin = postgresBinDir();
  let server: PostgresServer | undefined;
  let last = "";
  return {
    name: "postgres",
    async setup() {
      if (!bin)
        throw new Error(
          "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (scripts/setup.sh installs them)",
        );
      server = new PostgresServer(bin);
      await server.start();
    },
    async open() {
      if (!server) throw new Error("postgres engine not set up");
      last = await server.createDatabase();
      return openDb({ dataDir: "", url: last, poolSize: 4 });
    },
    lastUrl() {
      return { url: last, dataDir: "" };
    },
    async teardown() {
      await server?.stop();
    },
  };
}

export const engines = (): Engine[] => [pgliteEngine(), postgresEngine()];
