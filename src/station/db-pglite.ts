import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { Db, Queryable, Row } from "./db.js";

/** The embedded engine: one PGlite instance (single connection; PGlite serialises queries). */
export async function openPglite(dataDir: string): Promise<Db> {
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir);
  await pg.exec("SET TIME ZONE 'UTC'");
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
      if (!pg.closed) await pg.close();
    },
  };
}
