import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { sha256Hex } from "../storage/sha256.js";
import type { Queryable } from "./db.js";
import { PasswordGate } from "./password-gate.js";
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
/**
 * Consecutive failed sign-ins that lock an account, and for how long: the FBI CJIS Security Policy
 * (5.5.3, "Unsuccessful Login Attempts") asks for no more than 5, then a lock of 10 minutes unless an
 * administrator releases it (`camsync station user unlock NAME`).
 */
export const SIGNIN_FAILURE_LIMIT = 5;
export const SIGNIN_LOCK_MS = 10 * 60_000;
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

export type SignInResult =
  | { ok: true; token: string; user: SignedInUser; expiresAt: string }
  /** `account`: the name is an account's (failures against unknown names are not counted). */
  | { ok: false; reason: "wrong-password"; account: boolean; failures: number; lockedUntil: string | null }
  | { ok: false; reason: "locked"; account: true; lockedUntil: string };

// A hash to compare against when the user does not exist (same work, so timing tells nothing).
let dummyHash: Promise<string> | undefined;

export class AuthService {
  private readonly users: UsersRepository;

  constructor(
    db: Queryable,
    private readonly sessionMs: number,
    private readonly now: () => number = Date.now,
    private readonly gate = new PasswordGate(),
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

  /**
   * A new session token for valid credentials. A wrong password counts against the account; the
   * SIGNIN_FAILURE_LIMIT-th in a row locks it for SIGNIN_LOCK_MS, and a locked account is refused
   * without hashing anything. Password hashes run through a small gate (GateFullError when it is full).
   */
  async signIn(name: string, password: string): Promise<SignInResult> {
    const user = USER_NAME.test(name) ? await this.users.get(name) : null;
    if (!user || user.disabledAt) {
      dummyHash ??= hashPassword("not a password of anyone");
      const dummy = await dummyHash;
      await this.gate.run(() => verifyPassword(password, dummy));
      return { ok: false, reason: "wrong-password", account: false, failures: 0, lockedUntil: null };
    }
    const locked = user.lockedUntil;
    if (locked && Date.parse(locked) > this.now())
      return { ok: false, reason: "locked", account: true, lockedUntil: locked };
    if (!(await this.gate.run(() => verifyPassword(password, user.passwordHash)))) {
      const lockUntil = new Date(this.now() + SIGNIN_LOCK_MS).toISOString();
      const counted = await this.users.recordFailedSignIn(user.name, SIGNIN_FAILURE_LIMIT, lockUntil);
      return {
        ok: false,
        reason: "wrong-password",
        account: true,
        failures: counted?.failures ?? 0,
        lockedUntil: counted?.lockedUntil ?? null,
      };
    }
    await this.users.clearFailedSignIns(user.name);
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(this.now() + this.sessionMs).toISOString();
    await this.users.purgeExpiredSessions(new Date(this.now()).toISOString());
    await this.users.createSession(sha256Hex(token), user.name, expiresAt);
    return { ok: true, token, user: { name: user.name, role: user.role }, expiresAt };
  }

  /** Release a locked account (an administrator's act); false when there is no such user. */
  unlock(name: string): Promise<boolean> {
    return this.users.clearFailedSignIns(name);
  }

  async userOf(token: string): Promise<SignedInUser | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    return this.users.sessionUser(sha256Hex(token), new Date(this.now()).toISOString());
  }

  async signOut(token: string): Promise<void> {
    await this.users.deleteSession(sha256Hex(token));
  }
}
