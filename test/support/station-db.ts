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
  /** A fresh database: its URL (PostgreSQL) or a station data dir whose `db/` will hold it (PGlite). */
  fresh(): Promise<{ url?: string; dataDir: string }>;
  /** `fresh()`, opened and migrated. */
  open(): Promise<Db>;
  teardown(): Promise<void>;
}

export function pgliteEngine(): Engine {
  const dirs: string[] = [];
  return {
    name: "pglite",
    async setup() {},
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), "camsync-pglite-"));
      dirs.push(dir);
      return { dataDir: dir };
    },
    async open() {
      const { dataDir } = await this.fresh();
      return openDb({ dataDir: join(dataDir, "db") });
    },
    async teardown() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function postgresEngine(): Engine {
  const bin = postgresBinDir();
  let server: PostgresServer | undefined;
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
    async fresh() {
      if (!server) throw new Error("postgres engine not set up");
      return { url: await server.createDatabase(), dataDir: mkdtempSync(join(tmpdir(), "camsync-station-")) };
    },
    async open() {
      const { url } = await this.fresh();
      return openDb({ dataDir: "", url, poolSize: 4 });
    },
    async teardown() {
      await server?.stop();
    },
  };
}

export const engines = (): Engine[] => [pgliteEngine(), postgresEngine()];

/**
 * Per-test timeout of the station suites: the first PGlite of a test file compiles its WASM, which
 * takes tens of seconds on a loaded 2-core machine (no assertion depends on it).
 */
export const STATION_TEST_TIMEOUT = 120_000;
