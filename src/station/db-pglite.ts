import { closeSync, mkdirSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import { PGlite } from "@electric-sql/pglite";
import type { Db, Queryable, Row } from "./db.js";

interface FsExt {
  flockSync(fd: number, flags: "exnb" | "un"): void;
}

export class DatabaseInUseError extends Error {
  override name = "DatabaseInUseError";
}

/**
 * `{dataDir}.lock`, flock(2)-ed for the life of the database: PGlite is one process's database, and a
 * second process opening the same directory would corrupt it. The kernel drops the lock when the
 * process ends, however it ends. (The daemon's data-dir lock of issue 11 does the same for cars.)
 */
function lockDataDir(dataDir: string): () => void {
  const { flockSync } = createRequire(import.meta.url)("fs-ext") as FsExt;
  const path = `${dataDir}.lock`;
  const fd = openSync(path, "a", 0o600);
  try {
    flockSync(fd, "exnb");
  } catch {
    closeSync(fd);
    throw new DatabaseInUseError(
      `${dataDir} is in use by another camsync station process (${path} is locked); the embedded database serves one process — set station.database.url to run several`,
    );
  }
  return () => closeSync(fd);
}

/** The embedded engine: one PGlite instance (single connection; PGlite serialises queries). */
export async function openPglite(dataDir: string): Promise<Db> {
  const memory = dataDir.startsWith("memory://");
  if (!memory) mkdirSync(dataDir, { recursive: true });
  const unlock = memory ? () => {} : lockDataDir(dataDir);
  let pg: PGlite;
  try {
    pg = await PGlite.create(dataDir);
    await pg.exec("SET TIME ZONE 'UTC'");
  } catch (err) {
    unlock();
    throw err;
  }
  const wrap = (q: Pick<PGlite, "query">): Queryable => ({
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []) {
      const res = await q.query<R>(sql, [...params]);
      return res.rows;
    },
  });
  const root = wrap(pg);
  return {
    engine: "pglite",
    query: root.query,
    async exec(sql) {
      await pg.exec(sql);
    },
    transaction(fn) {
      return pg.transaction((tx) => fn(wrap(tx)));
    },
    async close() {
      try {
        if (!pg.closed) await pg.close();
      } finally {
        unlock();
      }
    },
  };
}
