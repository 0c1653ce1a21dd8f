import { statfs } from "node:fs/promises";

/** Free space on the filesystem holding `dir` (bytes available to unprivileged writers). Tests inject a fake. */
export type FreeSpaceProbe = (dir: string) => Promise<number>;

export const statfsFreeSpace: FreeSpaceProbe = async (dir) => {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
};
