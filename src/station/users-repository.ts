import { type Queryable, toIso, toIsoOrNull } from "./db.js";

/** Accounts and their sign-in sessions. */
export type Role = "viewer" | "supervisor" | "admin";
export const ROLES: readonly Role[] = ["viewer", "supervisor", "admin"];

export interface UserRow {
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
  disabledAt: string | null;
  /** Set when failed sign-ins locked the account; it is locked while this is in the future. */
  lockedUntil: string | null;
}

const asRole = (v: unknown): Role => (v === "admin" || v === "supervisor" ? v : "viewer");

export class UsersRepository {
  constructor(private readonly db: Queryable) {}

  /** false when the name is taken. */
  async create(name: string, role: Role, passwordHash: string): Promise<boolean> {
    const rows = await this.db.query(
      "INSERT INTO users (name, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING name",
      [name, role, passwordHash],
    );
    return rows.length > 0;
  }

  async setPassword(name: string, passwordHash: string, role?: Role): Promise<boolean> {
    const rows = await this.db.query(
      "UPDATE users SET password_hash = $2, role = coalesce($3, role), disabled_at = NULL WHERE name = $1 RETURNING name",
      [name, passwordHash, role ?? null],
    );
    return rows.length > 0;
  }

  async get(name: string): Promise<UserRow | null> {
    const rows = await this.db.query("SELECT * FROM users WHERE name = $1", [name]);
    const r = rows[0];
    return r
      ? {
          name: String(r.name),
          role: asRole(r.role),
          passwordHash: String(r.password_hash),
          createdAt: toIso(r.created_at),
          disabledAt: toIsoOrNull(r.disabled_at),
          lockedUntil: toIsoOrNull(r.locked_until),
        }
      : null;
  }

  async list(): Promise<Omit<UserRow, "passwordHash" | "lockedUntil">[]> {
    const rows = await this.db.query("SELECT name, role, created_at, disabled_at FROM users ORDER BY name");
    return rows.map((r) => ({
      name: String(r.name),
      role: asRole(r.role),
      createdAt: toIso(r.created_at),
      disabledAt: toIsoOrNull(r.disabled_at),
    }));
  }

  async count(): Promise<number> {
    const rows = await this.db.query("SELECT count(*)::int AS n FROM users");
    return Number(rows[0]?.n ?? 0);
  }

  async createSession(tokenSha256: string, userName: string, expiresAt: string): Promise<void> {
    await this.db.query("INSERT INTO sessions (token_sha256, user_name, expires_at) VALUES ($1, $2, $3)", [
      tokenSha256,
      userName,
      expiresAt,
    ]);
  }

  /** The signed-in user of a live session (not expired, account not disabled). */
  async sessionUser(tokenSha256: string, now: string): Promise<{ name: string; role: Role } | null> {
    const rows = await this.db.query(
      `SELECT u.name, u.role FROM sessions s JOIN users u ON u.name = s.user_name
       WHERE s.token_sha256 = $1 AND s.expires_at > $2::timestamptz AND u.disabled_at IS NULL`,
      [tokenSha256, now],
    );
    const r = rows[0];
    return r ? { name: String(r.name), role: asRole(r.role) } : null;
  }

  /**
   * Count a failed sign-in. At `limit` consecutive failures the account locks until `lockUntil` and the
   * count starts again. One statement, so station processes signing in concurrently count every failure.
   */
  async recordFailedSignIn(
    name: string,
    limit: number,
    lockUntil: string,
  ): Promise<{ failures: number; lockedUntil: string | null } | null> {
    const rows = await this.db.query(
      `UPDATE users SET
         failed_signins = CASE WHEN failed_signins + 1 >= $2 THEN 0 ELSE failed_signins + 1 END,
         locked_until = CASE WHEN failed_signins + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
       WHERE name = $1
       RETURNING failed_signins, locked_until, (failed_signins = 0) AS locked_now`,
      [name, limit, lockUntil],
    );
    const r = rows[0];
    if (!r) return null;
    return r.locked_now === true
      ? { failures: limit, lockedUntil: toIsoOrNull(r.locked_until) }
      : { failures: Number(r.failed_signins), lockedUntil: null };
  }

  /** A good password (or an admin) clears the count and any lock; false when there is no such user. */
  async clearFailedSignIns(name: string): Promise<boolean> {
    const rows = await this.db.query(
      "UPDATE users SET failed_signins = 0, locked_until = NULL WHERE name = $1 RETURNING name",
      [name],
    );
    return rows.length > 0;
  }

  async deleteSession(tokenSha256: string): Promise<void> {
    await this.db.query("DELETE FROM sessions WHERE token_sha256 = $1", [tokenSha256]);
  }

  async purgeExpiredSessions(now: string): Promise<void> {
    await this.db.query("DELETE FROM sessions WHERE expires_at <= $1::timestamptz", [now]);
  }
}
