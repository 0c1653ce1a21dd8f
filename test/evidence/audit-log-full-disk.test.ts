import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/logger.js";
import { verifyAuditFile } from "../../src/evidence/audit-file-verify.js";
import { AUDIT_FILE, createAuditLog } from "../../src/evidence/audit-log.js";
import { FakeClock } from "../support/fake-clock.js";

// Found by the soak's fill-during-assembly fault: the disk filled up in the middle of an audit entry, the
// recovery that terminates the torn fragment could not write its newline while the disk was still full and
// was then forgotten, so the next entry was appended onto the fragment and `verify` failed the whole log
// ("line 85: not an audit entry", "prev does not match"). A real tmpfs makes the kernel's ENOSPC (needs
// root for mount; skipped with a message otherwise).

const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) {
    spawnSync("umount", [m]);
    rmSync(m, { recursive: true, force: true });
  }
});

function smallDisk(): string | null {
  const dir = mkdtempSync(join(tmpdir(), "camsync-audit-disk-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  mounts.push(dir);
  return dir;
}
const probe = smallDisk();
if (probe) {
  spawnSync("umount", [probe]);
  rmSync(probe, { recursive: true, force: true });
  mounts.pop();
} else console.warn("audit full-disk test skipped: cannot mount a tmpfs here (needs root)");

describe.skipIf(!probe)("the audit log on a disk that fills up", () => {
  it("an entry cut short by a full disk leaves a chain that still verifies once space returns", async () => {
    const disk = smallDisk() as string;
    const audit = createAuditLog({ dataDir: disk, clock: new FakeClock(), logger: silentLogger() });
    await audit.start();
    audit.append("note", { first: "entry" }); // the log's last page is part-used: the next ones fill it
    const s = statfsSync(disk);
    const filler = join(disk, "filler");
    spawnSync("fallocate", ["-l", String(s.bavail * s.bsize), filler]);
    const pad = "x".repeat(700);
    const written: number[] = [];
    let refused = false;
    for (let i = 0; i < 200 && !refused; i++) {
      try {
        written.push(audit.append("note", { i, pad }).seq);
      } catch {
        refused = true; // the disk is full: this entry may be left as a fragment
      }
    }
    expect(refused).toBe(true);
    // Still full: the next entry is refused too (its recovery cannot even terminate the fragment).
    expect(() => audit.append("note", { still: "full" })).toThrow();
    rmSync(filler);
    audit.append("note", { after: "space returned" });
    await audit.stop();
    const report = verifyAuditFile(join(disk, AUDIT_FILE));
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
