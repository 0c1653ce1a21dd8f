/**
 * The station's database, one interface over two engines: PGlite (PostgreSQL in WASM, embedded, the
 * default) and a PostgreSQL server (`pg`). Repositories are the only callers; both engines run the
 * same SQL. Rows come back as plain objects; timestamps as Date, bigint as string or number (the
 * repositories normalise with `toIso`/`toNumber`).
 */
export type Row = Record<string, unknown>;

export interface Queryable {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Db extends Queryable {
  readonly engine: "pglite" | "postgres";
  /** Run several statements (no parameters), e.g. a migration. */
  exec(sql: string): Promise<void>;
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function toIso(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "string") return new Date(v).toISOString();
  throw new TypeError(`expected a timestamp, got ${typeof v}`);
}

export function toIsoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : toIso(v);
}

export function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint" || typeof v === "string") return Number(v);
  throw new TypeError(`expected a number, got ${typeof v}`);
}

export function toStringOrNull(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

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
