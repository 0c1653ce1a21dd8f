import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { sha256Hex } from "../storage/sha256.js";
import type { Queryable } from "./db.js";
import { ROLES, type Role, UsersRepository } from "./users-repository.js";

/**
 * Accounts and sign-in. Passwords are stored as scrypt hashes (node:crypto; N=2^15, r=8, p=1, 16-byte
 * salt): `scrypt$N$r$p$salt$hash`. A session is a random 256-bit token in an HttpOnly cookie; the
 * database keeps only its SHA-256, so a copy of the database signs nobody in.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const MAXMEM = 64 * 1024 * 1024;

export const MIN_PASSWORD_LENGTH = 10;
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export class AuthError extends Error {
  override name = "AuthError";
}

export interface SignedInUser {
  name: string;
  role: Role;
}

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, { N: n, r, p, maxmem: MAXMEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await scryptAsync(password, Buffer.from(salt, "base64"), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export const roleAtLeast = (have: Role, need: Role) => ROLES.indexOf(have) >= ROLES.indexOf(need);

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (ROLES as readonly string[]).includes(v);
}

/** Checked up front so a bad name or short password gets a clear message. */
export function checkNewUser(name: string, password: string, role: string): void {
  if (!USER_NAME.test(name)) throw new AuthError("user name: expected 1-64 letters, digits or . _ @ -");
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new AuthError(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
  if (!isRole(role)) throw new AuthError(`role: expected one of ${ROLES.join(", ")}`);
}

// A hash to compare against when the user does not exist (same work, so timing tells nothing).
let dummyHash: Promise<string> | undefined;

export class AuthService {
  private readonly users: UsersRepository;

  constructor(
    db: Queryable,
    private readonly sessionMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.users = new UsersRepository(db);
  }

  /** Create an account (or, with `replace`, reset its password and role). */
  async addUser(
    name: string,
    password: string,
    role: string,
    replace = false,
  ): Promise<"created" | "updated"> {
    checkNewUser(name, password, role);
    const hash = await hashPassword(password);
    if (await this.users.create(name, role as Role, hash)) return "created";
    if (replace && (await this.users.setPassword(name, hash, role as Role))) return "updated";
    throw new AuthError(`user ${name} exists`);
  }

  listUsers() {
    return this.users.list();
  }

  /** A new session token for valid credentials; null otherwise. */
  async signIn(
    name: string,
    password: string,
  ): Promise<{ token: string; user: SignedInUser; expiresAt: string } | null> {
    const user = USER_NAME.test(name) ? await this.users.get(name) : null;
    if (!user || user.disabledAt) {
      dummyHash ??= hashPassword("not a password of anyone");
      await verifyPassword(password, await dummyHash);
      return null;
    }
    if (!(await verifyPassword(password, user.passwordHash))) return null;
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(this.now() + this.sessionMs).toISOString();
    await this.users.purgeExpiredSessions(new Date(this.now()).toISOString());
    await this.users.createSession(sha256Hex(token), user.name, expiresAt);
    return { token, user: { name: user.name, role: user.role }, expiresAt };
  }

  async userOf(token: string): Promise<SignedInUser | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    return this.users.sessionUser(sha256Hex(token), new Date(this.now()).toISOString());
  }

  async signOut(token: string): Promise<void> {
    await this.users.deleteSession(sha256Hex(token));
  }
}
