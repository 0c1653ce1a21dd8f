import pg from "pg";
import type { Db, Queryable, Row } from "./db.js";

/** A PostgreSQL server through a `pg` pool; every connection works in UTC. */
export async function openPostgres(url: string, poolSize: number): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: "-c TimeZone=UTC" });
  // An idle client losing its server (restart) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const client = await pool.connect(); // fail fast on a wrong URL
  client.release();
  return {
    engine: "postgres",
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []) {
      const res = await pool.query<R>(sql, [...params]);
      return res.rows;
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const c = await pool.connect();
      const tx: Queryable = {
        async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []) {
          return (await c.query<R>(sql, [...params])).rows;
        },
      };
      try {
        await c.query("BEGIN");
        const out = await fn(tx);
        await c.query("COMMIT");
        return out;
      } catch (err) {
        await c.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
