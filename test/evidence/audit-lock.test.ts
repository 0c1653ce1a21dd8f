import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  AUDIT_LOCK_FILE,
  AuditLockedError,
  acquireAuditLock,
  currentOwner,
  processStart,
} from "../../src/evidence/audit-lock.js";
import { zombie } from "../support/zombie.js";
import { tempDataDir } from "./event-fixture.js";

describe("audit.lock", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  function dir(): string {
    const d = tempDataDir("lock");
    cleanups.push(() => rmSync(d, { recursive: true, force: true }));
    return d;
  }

  const writeLock = (d: string, owner: unknown) =>
    writeFileSync(join(d, AUDIT_LOCK_FILE), JSON.stringify(owner));

  async function liveProcess(): Promise<{ child: ChildProcess; pid: number }> {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    cleanups.push(() => child.kill("SIGKILL"));
    await new Promise((r) => child.once("spawn", r));
    return { child, pid: child.pid as number };
  }

  it("is refused while another live process holds it, and taken once that process is gone", async () => {
    const d = dir();
    const { child, pid } = await liveProcess();
    writeLock(d, { pid, bootId: currentOwner().bootId, started: processStart(pid) });
    expect(() => acquireAuditLock(d)).toThrow(AuditLockedError);
    const exited = once(child, "exit");
    process.kill(pid, "SIGKILL");
    await exited; // gone and reaped, however late the kernel and Node get to it
    acquireAuditLock(d).release();
  });

  it.each([
    [
      "left before a reboot (same pid as ours, other boot id)",
      () => ({ ...currentOwner(), bootId: "another-boot" }),
    ],
    [
      "whose pid now belongs to another process (start time differs)",
      () => ({ ...currentOwner(), started: "1" }),
    ],
  ])("a lock %s is stale and taken over", (_name, owner) => {
    const d = dir();
    writeLock(d, owner());
    const lock = acquireAuditLock(d);
    lock.release();
  });

  it("refuses a second holder in the same process until released", () => {
    const d = dir();
    const lock = acquireAuditLock(d);
    expect(() => acquireAuditLock(d)).toThrow(new RegExp(`in use by process ${process.pid}`));
    lock.release();
    acquireAuditLock(d).release();
  });

  it("reads a plain-pid lock file (live owner: refused)", async () => {
    const d = dir();
    const { pid } = await liveProcess();
    writeFileSync(join(d, AUDIT_LOCK_FILE), `${pid}\n`);
    expect(() => acquireAuditLock(d)).toThrow(AuditLockedError);
  });

  it("a lock held by a SIGKILLed owner not yet reaped (a zombie) is stale and taken over", async () => {
    const d = dir();
    const { pid, started } = await zombie((fn) => cleanups.push(fn));
    expect(readFileSync(`/proc/${pid}/stat`, "utf8")).toMatch(/\) Z /);
    // the lock as that owner wrote it while alive: same pid, same boot, same start time
    writeLock(d, { pid, bootId: currentOwner().bootId, started });
    acquireAuditLock(d).release();
    writeFileSync(join(d, AUDIT_LOCK_FILE), `${pid}\n`); // the plain-pid form too
    acquireAuditLock(d).release();
  });
});
