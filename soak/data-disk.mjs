// The soak's data disk: a small tmpfs mounted for the run (needs root), so that "the disk is full" is the
// kernel's real ENOSPC rather than a reserve crossed on a disk with tens of GB free. Without root the data
// dir stays on the ordinary disk: the disk-filling fault then only pushes free space below the recorder's
// reserve, and the fault that needs a really full disk (fill-during-assembly) is skipped, saying so.
// One filler for both disk faults: `fill(leaveBytes)` allocates all but `leaveBytes` of what is free.
import { spawnSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync, statfsSync } from "node:fs";
import { join } from "node:path";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

export class DataDisk {
  /** @param {{ dir: string, sizeBytes?: number }} o  `dir` becomes the mount point (created). */
  constructor(o) {
    this.dir = o.dir;
    this.sizeBytes = o.sizeBytes ?? GiB;
    this.filler = join(o.dir, "filler.bin");
    this.mounted = false;
    this.fills = 0;
  }

  /** Mount the tmpfs when this process may; false (the ordinary disk) otherwise. */
  mount() {
    mkdirSync(this.dir, { recursive: true });
    const r = spawnSync(
      "mount",
      ["-t", "tmpfs", "-o", `size=${this.sizeBytes},mode=0755`, "tmpfs", this.dir],
      {
        encoding: "utf8",
      },
    );
    this.mounted = r.status === 0;
    this.why = this.mounted ? null : `cannot mount a tmpfs (needs root): ${(r.stderr ?? "").trim()}`;
    return this.mounted;
  }

  free() {
    const s = statfsSync(this.dir);
    return s.bavail * s.bsize;
  }

  /**
   * The recorder's reserve (`minFreeBytes`) and how much free space the disk-filling fault leaves (below the
   * reserve). On the tmpfs: a 384 MiB reserve, filled down to 128 MiB. On the ordinary disk (enough space
   * only): the reserve 2 GiB below today's free space, filled 2.5 GiB.
   */
  plan() {
    if (this.mounted) return { minFreeBytes: 384 * MiB, fillLeaves: () => 128 * MiB };
    const free = this.free();
    if (free <= 6 * GiB) return { minFreeBytes: undefined, fillLeaves: null };
    return { minFreeBytes: free - 2 * GiB, fillLeaves: () => Math.max(0, this.free() - 2.5 * GiB) };
  }

  /** Allocate all but `leaveBytes` of the free space (one filler at a time). → bytes allocated. */
  fill(leaveBytes) {
    const bytes = Math.max(0, this.free() - leaveBytes);
    const path = `${this.filler}.${++this.fills}`;
    const r = spawnSync("fallocate", ["-l", String(bytes), path], { encoding: "utf8" });
    if (r.status !== 0) {
      rmSync(path, { force: true });
      throw new Error(`fallocate failed: ${(r.stderr ?? "").trim()}`);
    }
    return { path, bytes, release: () => rmSync(path, { force: true }) };
  }

  /** Unmount; with `keep`, the disk's contents are copied to the ordinary disk first (same path). */
  unmount({ keep = false } = {}) {
    if (!this.mounted) return;
    const copy = `${this.dir}.kept`;
    if (keep) {
      for (let i = 1; i <= this.fills; i++) rmSync(`${this.filler}.${i}`, { force: true });
      spawnSync("cp", ["-a", this.dir, copy]);
    }
    const r = spawnSync("umount", [this.dir], { encoding: "utf8" });
    if (r.status !== 0) spawnSync("umount", ["-l", this.dir]);
    this.mounted = false;
    if (keep) {
      rmSync(this.dir, { recursive: true, force: true });
      renameSync(copy, this.dir);
    }
  }
}
