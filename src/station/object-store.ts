import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Credentials } from "../evidence/s3-credentials.js";

/**
 * Where the evidence objects are, read-only: an S3-compatible bucket (the cars' offload target) or a
 * directory laid out the same way (`{root}/{key}`). The station lists, reads and range-reads; it
 * never writes or deletes.
 */
export interface ListedObject {
  key: string;
  etag: string;
  size: number;
}

export interface ListPage {
  objects: ListedObject[];
  /** Where the next page starts (the last key of this page), or null when the listing is complete. */
  next: string | null;
}

export interface ObjectBody {
  stream: Readable;
  /** Bytes in this body (the whole object, or the range asked for). */
  length: number;
  /** Size of the whole object. */
  size: number;
  etag: string;
}

export class ObjectMissingError extends Error {
  override name = "ObjectMissingError";
  constructor(readonly key: string) {
    super(`object ${key} does not exist`);
  }
}

export interface ObjectStore {
  readonly description: string;
  /** Keys under `prefix` after `startAfter`, in key order, at most `maxKeys`. */
  list(prefix: string, startAfter: string, maxKeys: number): Promise<ListPage>;
  /** The object's bytes (a range when given, inclusive end). Throws ObjectMissingError when absent. */
  get(key: string, range?: { start: number; end: number }): Promise<ObjectBody>;
  close(): void;
}

export interface S3StoreOptions {
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  forcePathStyle: boolean;
  credentials?: S3Credentials | undefined;
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === "NoSuchKey" ||
    e.Code === "NoSuchKey" ||
    e.name === "NotFound" ||
    e.$metadata?.httpStatusCode === 404
  );
}

export async function openS3Store(opts: S3StoreOptions): Promise<ObjectStore> {
  const sdk = await import("@aws-sdk/client-s3");
  const client: S3Client = new sdk.S3Client({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    forcePathStyle: opts.forcePathStyle,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return {
    description: `s3 ${opts.endpoint ?? opts.region} bucket ${opts.bucket}`,
    async list(prefix, startAfter, maxKeys) {
      const res = await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: opts.bucket,
          Prefix: prefix,
          MaxKeys: maxKeys,
          ...(startAfter ? { StartAfter: startAfter } : {}),
        }),
      );
      const objects = (res.Contents ?? []).flatMap((o) =>
        o.Key ? [{ key: o.Key, etag: (o.ETag ?? "").replaceAll('"', ""), size: Number(o.Size ?? 0) }] : [],
      );
      const last = objects[objects.length - 1];
      return { objects, next: res.IsTruncated && last ? last.key : null };
    },
    async get(key, range) {
      try {
        const res = await client.send(
          new sdk.GetObjectCommand({
            Bucket: opts.bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        const length = Number(res.ContentLength ?? 0);
        const total = res.ContentRange ? Number(res.ContentRange.split("/")[1]) : length;
        return {
          stream: res.Body as Readable,
          length,
          size: Number.isFinite(total) ? total : length,
          etag: (res.ETag ?? "").replaceAll('"', ""),
        };
      } catch (err) {
        if (isMissing(err)) throw new ObjectMissingError(key);
        throw err;
      }
    },
    close() {
      client.destroy();
    },
  };
}

/** Keys are `/`-separated; a segment that is empty, `.` or `..` never maps to a path. */
function safeRelative(key: string): string | null {
  const parts = key.split("/");
  if (parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\") || p.includes("\0")))
    return null;
  return parts.join(sep);
}

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) await walk(root, rel, out);
    else if (e.isFile() && !e.name.startsWith(".")) out.push(rel);
  }
}

/** A directory as the bucket (the demo and small single-machine stations). */
export function openFsStore(root: string): ObjectStore {
  return {
    description: `directory ${root}`,
    async list(prefix, startAfter, maxKeys) {
      const keys: string[] = [];
      await walk(root, "", keys);
      const sorted = keys.filter((k) => k.startsWith(prefix) && k > startAfter).sort();
      const page = sorted.slice(0, maxKeys);
      const objects = await Promise.all(
        page.map(async (key) => {
          const st = await stat(join(root, key));
          return {
            key,
            size: st.size,
            etag: `${st.size.toString(16)}-${Math.round(st.mtimeMs).toString(16)}`,
          };
        }),
      );
      const last = page[page.length - 1];
      return { objects, next: sorted.length > maxKeys && last ? last : null };
    },
    async get(key, range) {
      const rel = safeRelative(key);
      if (!rel) throw new ObjectMissingError(key);
      const path = join(root, rel);
      let st: import("node:fs").Stats;
      try {
        st = await stat(path);
      } catch {
        throw new ObjectMissingError(key);
      }
      if (!st.isFile()) throw new ObjectMissingError(key);
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? st.size - 1, st.size - 1);
      return {
        stream: createReadStream(path, { start, end, highWaterMark: 1024 * 1024 }),
        length: Math.max(0, end - start + 1),
        size: st.size,
        etag: `${st.size.toString(16)}-${Math.round(st.mtimeMs).toString(16)}`,
      };
    },
    close() {},
  };
}
