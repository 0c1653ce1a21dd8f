import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService, SIGNIN_FAILURE_LIMIT, SIGNIN_LOCK_MS } from "../../src/station/auth-service.js";
import type { Db } from "../../src/station/db.js";
import { GateFullError, PasswordGate } from "../../src/station/password-gate.js";
import { engines, STATION_TEST_TIMEOUT } from "../support/station-db.js";

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);

/** A gate that counts the password hashes it runs. */
class CountingGate extends PasswordGate {
  hashes = 0;
  override run<T>(work: () => Promise<T>): Promise<T> {
    this.hashes++;
    return super.run(work);
  }
}

describe.each(engines())(
  "sign-in lockout on $name",
  (engine) => {
    let db: Db;
    let now = T0;
    const gate = new CountingGate();
    // two station processes over one database: each has its own AuthService
    let a: AuthService;
    let b: AuthService;

    beforeAll(async () => {
      await engine.setup();
      db = await engine.open();
      a = new AuthService(db, 3_600_000, () => now, gate);
      b = new AuthService(db, 3_600_000, () => now, gate);
      await a.addUser("officer1", "right-password", "viewer");
    });
    afterAll(async () => {
      await db?.close();
      await engine.teardown();
    });

    it("locks an account after 5 wrong passwords in a row, counted across processes, for 10 minutes", async () => {
      const results = [];
      for (let i = 0; i < SIGNIN_FAILURE_LIMIT; i++)
        results.push(await (i % 2 === 0 ? a : b).signIn("officer1", `wrong-${i}`));
      expect(
        results.map((r) =>
          r.ok || r.reason === "locked" ? "?" : `${r.reason}:${r.failures}:${r.lockedUntil ?? "-"}`,
        ),
      ).toEqual([
        "wrong-password:1:-",
        "wrong-password:2:-",
        "wrong-password:3:-",
        "wrong-password:4:-",
        `wrong-password:5:${new Date(T0 + SIGNIN_LOCK_MS).toISOString()}`,
      ]);

      // locked: even the right password is refused, and nothing is hashed
      const hashed = gate.hashes;
      now = T0 + SIGNIN_LOCK_MS - 1000;
      expect(await b.signIn("officer1", "right-password")).toEqual({
        ok: false,
        reason: "locked",
        account: true,
        lockedUntil: new Date(T0 + SIGNIN_LOCK_MS).toISOString(),
      });
      expect(gate.hashes).toBe(hashed);

      // the lock opens by itself; the right password then signs in and clears the count
      now = T0 + SIGNIN_LOCK_MS;
      expect((await a.signIn("officer1", "right-password")).ok).toBe(true);
      const after = await a.signIn("officer1", "wrong-again");
      expect(after).toMatchObject({ ok: false, failures: 1, lockedUntil: null });
    });

    it("a good password resets the count; an administrator can unlock at once", async () => {
      for (let i = 0; i < SIGNIN_FAILURE_LIMIT - 2; i++) await a.signIn("officer1", "wrong");
      expect((await a.signIn("officer1", "right-password")).ok).toBe(true);
      for (let i = 0; i < SIGNIN_FAILURE_LIMIT - 1; i++)
        expect(await a.signIn("officer1", "wrong")).toMatchObject({ lockedUntil: null });
      expect(await a.signIn("officer1", "wrong")).toMatchObject({ lockedUntil: expect.any(String) });
      expect(await a.signIn("officer1", "right-password")).toMatchObject({ reason: "locked" });
      expect(await b.unlock("officer1")).toBe(true);
      expect((await a.signIn("officer1", "right-password")).ok).toBe(true);
      expect(await b.unlock("nobody")).toBe(false);
    });

    it("unknown names are refused with the same work and never lock anything", async () => {
      const hashed = gate.hashes;
      for (let i = 0; i < SIGNIN_FAILURE_LIMIT + 2; i++)
        expect(await a.signIn("nobody", "whatever")).toEqual({
          ok: false,
          reason: "wrong-password",
          account: false,
          failures: 0,
          lockedUntil: null,
        });
      expect(gate.hashes).toBe(hashed + SIGNIN_FAILURE_LIMIT + 2);
    });
  },
  STATION_TEST_TIMEOUT,
);

describe("password gate", () => {
  it("runs 2 hashes at once, queues the next, turns away beyond the queue, in arrival order", async () => {
    const gate = new PasswordGate(2, 1);
    const release: (() => void)[] = [];
    const started: number[] = [];
    const job = (n: number) =>
      gate.run(
        () =>
          new Promise<number>((resolve) => {
            started.push(n);
            release.push(() => resolve(n));
          }),
      );
    const p1 = job(1);
    const p2 = job(2);
    const p3 = job(3);
    await expect(job(4)).rejects.toBeInstanceOf(GateFullError);
    await Promise.resolve();
    expect(started).toEqual([1, 2]);
    expect(gate.load).toEqual({ running: 2, waiting: 1 });
    release.shift()?.();
    expect(await p1).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2, 3]);
    release.shift()?.();
    release.shift()?.();
    expect(await Promise.all([p2, p3])).toEqual([2, 3]);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });
});
