import type { Db } from "./db.js";
import { migration001 } from "./migrations/001-index.js";
import { migration002 } from "./migrations/002-signin-lockout.js";
import { migration101 } from "./migrations/101-custody.js";

/**
 * Versioned migrations, applied in order inside one transaction each and recorded in
 * `schema_migrations`. An advisory lock makes N station processes starting together apply each
 * migration once.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [migration001, migration002, migration101];

const LOCK_KEY = 0x63616d73; // "cams"

export async function migrate(db: Db, list: readonly Migration[] = migrations): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: number[] = [];
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
      const done = await tx.query("SELECT 1 FROM schema_migrations WHERE version = $1", [m.version]);
      if (done.length > 0) return;
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      applied.push(m.version);
    });
  }
  return applied;
}

/** Split a migration into statements (our migrations hold no `;` inside strings or bodies). */
export function splitStatements(sql: string): string[] {
  return sql
    .split("\n")
    .filter((l) => !l.trimStart().startsWith("--"))
    .join("\n")
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
