import type { Db } from "./db.js";

export interface OpenDbOptions {
  /** PostgreSQL connection URL; when absent PGlite is used in `dataDir`. */
  url?: string | undefined;
  /** PGlite data directory (created when missing); `memory://` for a throw-away database. */
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

/** Open the configured engine and bring its schema up to date. */
export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const db = opts.url
    ? await (await import("./db-postgres.js")).openPostgres(opts.url, opts.poolSize ?? 10)
    : await (await import("./db-pglite.js")).openPglite(opts.dataDir);
  try {
    const { migrate } = await import("./migrate.js");
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
