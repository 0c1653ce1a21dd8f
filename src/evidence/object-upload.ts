import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  type Part,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { VerificationError } from "./upload-errors.js";
import { compositeSha256, missingParts, type ObjectUploadState, type UploadedPart } from "./upload-state.js";

/**
 * One file to one object: multipart (or a single PUT when it fits in one part), resumable from the
 * persisted `ObjectUploadState`, then verified — by the server's SHA-256 checksum where it returns one,
 * otherwise (or when configured) by reading the object back and hashing it.
 */
export type VerifyMode = "checksum" | "read-back";

export { VerificationError };

export interface ObjectUploadContext {
  client: S3Client;
  bucket: string;
  verify: VerifyMode;
  /** Persist the state (called after every change). */
  save(): void;
  /** Bytes just sent (progress). */
  onBytes(n: number): void;
  abortSignal?: AbortSignal;
}

export interface LocalFile {
  path: string;
  sha256: string;
  bytes: number;
}

const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

async function readPart(path: string, partNumber: number, partSize: number, total: number): Promise<Buffer> {
  const start = (partNumber - 1) * partSize;
  const length = Math.min(partSize, total - start);
  const buf = Buffer.alloc(Math.max(0, length));
  const fh = await open(path, "r");
  try {
    let off = 0;
    while (off < length) {
      const { bytesRead } = await fh.read(buf, off, length - off, start + off);
      if (bytesRead === 0) throw new Error(`${path}: shorter than recorded (${total} bytes)`);
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return buf;
}

function errorName(err: unknown): string {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e.Code ?? e.name ?? "";
}

/** Parts the server already holds for our upload; null when the server cannot list them (s3rver). */
async function serverParts(
  ctx: ObjectUploadContext,
  key: string,
  uploadId: string,
): Promise<Part[] | null | "gone"> {
  const out: Part[] = [];
  let marker: string | undefined;
  try {
    for (;;) {
      const res = await ctx.client.send(
        new ListPartsCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
        { abortSignal: ctx.abortSignal },
      );
      out.push(...(res.Parts ?? []));
      if (!res.IsTruncated || !res.NextPartNumberMarker) return out;
      marker = res.NextPartNumberMarker;
    }
  } catch (err) {
    const name = errorName(err);
    if (name === "NoSuchUpload") return "gone";
    if (name === "MethodNotAllowed" || name === "NotImplemented") return null;
    throw err;
  }
}

/**
 * Reconcile recorded parts with the server: keep parts the server holds with the same ETag, adopt
 * parts the server holds whose ETag is the MD5 of our bytes (stored before we could record them),
 * drop the rest (re-sent). Returns false when the upload is gone and must start over.
 */
async function reconcile(
  ctx: ObjectUploadContext,
  obj: ObjectUploadState,
  file: LocalFile,
): Promise<boolean> {
  if (!obj.uploadId) return false;
  const listed = await serverParts(ctx, obj.key, obj.uploadId);
  if (listed === "gone") return false;
  if (listed === null) return true; // cannot list: trust what we recorded
  const recorded = new Map(obj.parts.map((p) => [p.partNumber, p]));
  const kept: UploadedPart[] = [];
  for (const p of listed) {
    if (p.PartNumber === undefined || !p.ETag) continue;
    const etag = p.ETag.replace(/"/g, "");
    const mine = recorded.get(p.PartNumber);
    if (mine && mine.etag.replace(/"/g, "") === etag) {
      kept.push(mine);
      continue;
    }
    const data = await readPart(file.path, p.PartNumber, obj.partSize, file.bytes);
    if (createHash("md5").update(data).digest("hex") === etag) {
      kept.push({
        partNumber: p.PartNumber,
        etag: p.ETag,
        sha256: createHash("sha256").update(data).digest("hex"),
      });
    }
  }
  obj.parts = kept.sort((a, b) => a.partNumber - b.partNumber);
  ctx.save();
  return true;
}

async function putSingle(ctx: ObjectUploadContext, obj: ObjectUploadState, file: LocalFile): Promise<void> {
  const data = await readPart(file.path, 1, Math.max(1, file.bytes), file.bytes);
  const res = await ctx.client.send(
    new PutObjectCommand({
      Bucket: ctx.bucket,
      Key: obj.key,
      Body: data,
      ContentLength: data.length,
      ContentType: obj.key.endsWith(".json") ? "application/json" : "video/mp4",
      Metadata: { sha256: file.sha256 },
      ...(ctx.verify === "checksum" ? { ChecksumSHA256: hexToBase64(file.sha256) } : {}),
    }),
    { abortSignal: ctx.abortSignal },
  );
  ctx.onBytes(data.length);
  obj.parts = [{ partNumber: 1, etag: res.ETag ?? "", sha256: file.sha256 }];
  obj.uploadId = null;
  obj.completed = true;
  ctx.save();
}

async function putMultipart(
  ctx: ObjectUploadContext,
  obj: ObjectUploadState,
  file: LocalFile,
): Promise<void> {
  if (!(await reconcile(ctx, obj, file))) {
    const created = await ctx.client.send(
      new CreateMultipartUploadCommand({
        Bucket: ctx.bucket,
        Key: obj.key,
        ContentType: "video/mp4",
        Metadata: { sha256: file.sha256 },
        ...(ctx.verify === "checksum" ? { ChecksumAlgorithm: "SHA256" as const } : {}),
      }),
      { abortSignal: ctx.abortSignal },
    );
    if (!created.UploadId) throw new Error("the server returned no UploadId");
    obj.uploadId = created.UploadId;
    obj.parts = [];
    ctx.save();
  }
  const uploadId = obj.uploadId as string;
  for (const partNumber of missingParts(file.bytes, obj.partSize, obj.parts)) {
    const data = await readPart(file.path, partNumber, obj.partSize, file.bytes);
    const sha256 = createHash("sha256").update(data).digest("hex");
    const res = await ctx.client.send(
      new UploadPartCommand({
        Bucket: ctx.bucket,
        Key: obj.key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: data,
        ContentLength: data.length,
        ...(ctx.verify === "checksum" ? { ChecksumSHA256: hexToBase64(sha256) } : {}),
      }),
      { abortSignal: ctx.abortSignal },
    );
    if (!res.ETag) throw new Error(`the server returned no ETag for part ${partNumber}`);
    obj.parts = [...obj.parts, { partNumber, etag: res.ETag, sha256 }].sort(
      (a, b) => a.partNumber - b.partNumber,
    );
    ctx.save();
    ctx.onBytes(data.length);
  }
  await ctx.client.send(
    new CompleteMultipartUploadCommand({
      Bucket: ctx.bucket,
      Key: obj.key,
      UploadId: uploadId,
      MultipartUpload: {
        Parts: obj.parts.map((p) => ({
          PartNumber: p.partNumber,
          ETag: p.etag,
          ...(ctx.verify === "checksum" ? { ChecksumSHA256: hexToBase64(p.sha256) } : {}),
        })),
      },
    }),
    { abortSignal: ctx.abortSignal },
  );
  obj.completed = true;
  obj.uploadId = null;
  ctx.save();
}

async function readBack(ctx: ObjectUploadContext, obj: ObjectUploadState, file: LocalFile): Promise<void> {
  const res = await ctx.client.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: obj.key }), {
    abortSignal: ctx.abortSignal,
  });
  const body = res.Body as AsyncIterable<Uint8Array> | undefined;
  if (!body) throw new VerificationError(`${obj.key}: the server returned no body`);
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  const sha256 = hash.digest("hex");
  if (bytes !== file.bytes || sha256 !== file.sha256) {
    throw new VerificationError(
      `${obj.key}: stored object reads back as ${bytes} bytes with SHA-256 ${sha256}, expected ${file.bytes} bytes ${file.sha256}`,
    );
  }
}

/** Verify the stored object; returns the method that proved it. */
async function verifyStored(
  ctx: ObjectUploadContext,
  obj: ObjectUploadState,
  file: LocalFile,
): Promise<VerifyMode> {
  if (ctx.verify === "checksum") {
    const head = await ctx.client.send(
      new HeadObjectCommand({ Bucket: ctx.bucket, Key: obj.key, ChecksumMode: "ENABLED" }),
      { abortSignal: ctx.abortSignal },
    );
    if (head.ContentLength !== undefined && head.ContentLength !== file.bytes) {
      throw new VerificationError(
        `${obj.key}: stored size ${head.ContentLength} bytes, expected ${file.bytes}`,
      );
    }
    if (head.Metadata?.sha256 !== undefined && head.Metadata.sha256 !== file.sha256) {
      throw new VerificationError(`${obj.key}: stored sha256 metadata differs from the file's`);
    }
    if (head.ChecksumSHA256) {
      const expected =
        obj.parts.length === 1 && !head.ChecksumSHA256.includes("-")
          ? hexToBase64(file.sha256)
          : compositeSha256(obj.parts.map((p) => p.sha256));
      if (head.ChecksumSHA256.split("-")[0] !== expected.split("-")[0]) {
        throw new VerificationError(
          `${obj.key}: server checksum ${head.ChecksumSHA256} differs from ${expected}`,
        );
      }
      return "checksum";
    }
    // The server keeps no SHA-256 checksum (e.g. s3rver, older Ceph): prove it by reading back.
  }
  await readBack(ctx, obj, file);
  return "read-back";
}

/**
 * Upload (or resume) and verify one object. A verification failure clears the object's state so the
 * next attempt uploads it afresh, and is thrown as VerificationError.
 */
export async function uploadObject(
  ctx: ObjectUploadContext,
  obj: ObjectUploadState,
  file: LocalFile,
): Promise<VerifyMode> {
  if (obj.verified) return obj.verified.method;
  if (!obj.completed) {
    if (file.bytes <= obj.partSize) await putSingle(ctx, obj, file);
    else await putMultipart(ctx, obj, file);
  }
  try {
    return await verifyStored(ctx, obj, file);
  } catch (err) {
    if (err instanceof VerificationError) {
      obj.completed = false;
      obj.uploadId = null;
      obj.parts = [];
      ctx.save();
    }
    throw err;
  }
}
