import { createHash } from "node:crypto";
import { Quarantine } from "./manifest-checks.js";
import { ObjectMissingError, type ObjectStore } from "./object-store.js";

/**
 * Re-hashing stored objects (streamed, never held in memory) against what a manifest says, and
 * reading small objects (manifests, audit excerpts) with a size cap.
 */
export interface ExpectedObject {
  key: string;
  sha256: string;
  bytes: number;
}

/** Hash one object; throws Quarantine naming the object when it is missing or differs. */
export async function verifyObject(
  store: ObjectStore,
  o: ExpectedObject,
  onBytes?: (n: number) => void,
): Promise<void> {
  let body: Awaited<ReturnType<ObjectStore["get"]>>;
  try {
    body = await store.get(o.key);
  } catch (err) {
    if (err instanceof ObjectMissingError)
      throw new Quarantine("missing-object", `object ${o.key} listed in the manifest is missing`);
    throw err;
  }
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of body.stream) {
    const buf = chunk as Buffer;
    hash.update(buf);
    bytes += buf.length;
    onBytes?.(buf.length);
  }
  const sha256 = hash.digest("hex");
  if (sha256 !== o.sha256 || bytes !== o.bytes)
    throw new Quarantine(
      "hash-mismatch",
      `object ${o.key}: SHA-256 ${sha256} (${bytes} bytes) differs from the manifest's ${o.sha256} (${o.bytes} bytes)`,
    );
}

/** Hash every object, `parallel` at a time; the first problem wins. */
export async function verifyObjects(
  store: ObjectStore,
  objects: readonly ExpectedObject[],
  parallel: number,
  onBytes?: (n: number) => void,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < objects.length) {
      const o = objects[next++] as ExpectedObject;
      await verifyObject(store, o, onBytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, objects.length) }, lane));
}

export class TooLargeError extends Error {
  override name = "TooLargeError";
}

/** A small object's bytes, or null when it does not exist; TooLargeError past `max` bytes (not read). */
export async function readSmallObject(store: ObjectStore, key: string, max: number): Promise<Buffer | null> {
  let body: Awaited<ReturnType<ObjectStore["get"]>>;
  try {
    body = await store.get(key);
  } catch (err) {
    if (err instanceof ObjectMissingError) return null;
    throw err;
  }
  if (body.length > max) {
    body.stream.destroy();
    throw new TooLargeError(`${key} is ${body.length} bytes (limit ${max})`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body.stream) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > max) {
      body.stream.destroy();
      throw new TooLargeError(`${key} is larger than ${max} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
