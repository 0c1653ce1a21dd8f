import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeJsonAtomicSync } from "../storage/atomic-file.js";

/**
 * `{eventDir}/.offload.json`: how far each object of an event got, so an upload interrupted by a lost
 * connection, a server restart or a daemon restart resumes without re-sending finished parts.
 * Written atomically after every part. (Dot-file: not evidence, ignored by verify, deleted with the event.)
 */
export const UPLOAD_STATE_FILE = ".offload.json";

const partSchema = z.object({
  partNumber: z.number().int().min(1),
  etag: z.string(),
  /** Hex SHA-256 of the part (checksum verification, composite checksums). */
  sha256: z.string(),
});

const objectStateSchema = z.object({
  key: z.string(),
  sha256: z.string(),
  bytes: z.number().int().min(0),
  partSize: z.number().int().min(1),
  uploadId: z.string().nullable(),
  parts: z.array(partSchema),
  completed: z.boolean(),
  verified: z.object({ method: z.enum(["checksum", "read-back"]), at: z.string() }).nullable(),
});

const uploadStateSchema = z.object({
  version: z.literal(1),
  objects: z.record(z.string(), objectStateSchema),
});

export type UploadedPart = z.infer<typeof partSchema>;
export type ObjectUploadState = z.infer<typeof objectStateSchema>;
export type UploadState = z.infer<typeof uploadStateSchema>;

export function readUploadState(eventDir: string): UploadState {
  const path = join(eventDir, UPLOAD_STATE_FILE);
  if (!existsSync(path)) return { version: 1, objects: {} };
  try {
    const parsed = uploadStateSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    // unreadable: start over (costs a re-upload, never loses evidence)
  }
  return { version: 1, objects: {} };
}

export function writeUploadState(eventDir: string, state: UploadState): void {
  writeJsonAtomicSync(join(eventDir, UPLOAD_STATE_FILE), state);
}

/** The object's state, fresh when the file, its size or the part size changed since it was recorded. */
export function objectState(
  state: UploadState,
  file: string,
  want: { key: string; sha256: string; bytes: number; partSize: number },
): ObjectUploadState {
  const have = state.objects[file];
  if (
    have &&
    have.key === want.key &&
    have.sha256 === want.sha256 &&
    have.bytes === want.bytes &&
    have.partSize === want.partSize
  ) {
    return have;
  }
  const fresh: ObjectUploadState = { ...want, uploadId: null, parts: [], completed: false, verified: null };
  state.objects[file] = fresh;
  return fresh;
}

/** Number of parts for an object (at least one). */
export function partCount(bytes: number, partSize: number): number {
  return Math.max(1, Math.ceil(bytes / partSize));
}

/** Part numbers still to send, given the parts recorded as done. */
export function missingParts(bytes: number, partSize: number, done: readonly UploadedPart[]): number[] {
  const have = new Set(done.map((p) => p.partNumber));
  const out: number[] = [];
  for (let n = 1; n <= partCount(bytes, partSize); n++) if (!have.has(n)) out.push(n);
  return out;
}

/**
 * S3's checksum of a multipart object: SHA-256 over the concatenated binary SHA-256 of each part,
 * base64, suffixed `-{parts}` (what HeadObject returns with ChecksumMode ENABLED).
 */
export function compositeSha256(partSha256Hex: readonly string[]): string {
  const h = createHash("sha256");
  for (const hex of partSha256Hex) h.update(Buffer.from(hex, "hex"));
  return `${h.digest("base64")}-${partSha256Hex.length}`;
}
