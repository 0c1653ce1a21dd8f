import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { S3Credentials } from "../../evidence/s3-credentials.js";
import type { ObjectRemover } from "./custody-service.js";

/**
 * Deleting evidence objects when their retention ended (the only writes the station makes to the
 * bucket: it needs s3:DeleteObject besides List/Get). Deleting a key that is already gone succeeds,
 * so an interrupted deletion is simply repeated.
 */
export interface S3RemoverOptions {
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  forcePathStyle: boolean;
  credentials?: S3Credentials | undefined;
}

export async function openS3Remover(opts: S3RemoverOptions): Promise<ObjectRemover & { close(): void }> {
  const sdk = await import("@aws-sdk/client-s3");
  const client = new sdk.S3Client({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    forcePathStyle: opts.forcePathStyle,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });
  return {
    async delete(key) {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: opts.bucket, Key: key }));
    },
    close() {
      client.destroy();
    },
  };
}

/** The directory store (`storage.path`): object `{key}` is the file `{root}/{key}`. */
export function openFsRemover(root: string): ObjectRemover & { close(): void } {
  return {
    async delete(key) {
      const parts = key.split("/");
      if (parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\") || p.includes("\0")))
        throw new Error(`refusing to delete '${key}': not a plain object key`);
      await rm(join(root, ...parts), { force: true });
    },
    close() {},
  };
}
