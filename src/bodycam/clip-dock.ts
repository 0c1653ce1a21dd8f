import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { type Clock, isoTime, systemClock } from "../core/clock.js";
import { uploadObject, type VerifyMode } from "../evidence/object-upload.js";
import { objectState, readUploadState, writeUploadState } from "../evidence/upload-state.js";
import { syncFile, writeJsonAtomicSync } from "../storage/atomic-file.js";
import { sha256File } from "../storage/sha256.js";
import { CLIP_MANIFEST_FILE, type ClipManifest, clipKeyPrefix, clipManifestSchema } from "./clip-manifest.js";

/**
 * Docking: finished clips go to the station's storage under `{prefix}bodycams/{camId}/{clipId}/`, each
 * file first and `manifest.json` last (docs/protocol.md), every object verified after it is stored; then
 * the clip is marked docked (`.docked.json`). An S3 upload resumes where it stopped after a kill (its
 * progress is `.offload.json`, the car's offload state format); a filesystem copy starts that file again.
 * Clips stay on the cam after docking.
 */
export const DOCKED_FILE = ".docked.json";

/** Where clips go: an S3-compatible bucket, or a directory laid out like one. */
export interface DockTarget {
  readonly description: string;
  /** Store one file under `key` and prove it is stored intact. */
  put(
    clipDir: string,
    file: string,
    key: string,
    local: { sha256: string; bytes: number },
  ): Promise<VerifyMode>;
}

export class S3DockTarget implements DockTarget {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    readonly description: string,
    private readonly partSize = 16 * 1024 * 1024,
  ) {}

  async put(clipDir: string, file: string, key: string, local: { sha256: string; bytes: number }) {
    const state = readUploadState(clipDir);
    const obj = objectState(state, file, { key, ...local, partSize: this.partSize });
    const save = () => writeUploadState(clipDir, state);
    const method = await uploadObject(
      { client: this.client, bucket: this.bucket, verify: "checksum", save, onBytes: () => {} },
      obj,
      { path: join(clipDir, file), ...local },
    );
    obj.verified = { method, at: new Date().toISOString() };
    save();
    return method;
  }
}

/** A directory with the bucket's layout (a share the station reads, or a test). */
export class DirectoryDockTarget implements DockTarget {
  constructor(private readonly root: string) {}

  get description(): string {
    return this.root;
  }

  async put(clipDir: string, file: string, key: string, local: { sha256: string; bytes: number }) {
    const dest = join(this.root, ...key.split("/"));
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = `${dest}.docking`;
    copyFileSync(join(clipDir, file), tmp);
    await syncFile(tmp);
    const stored = await sha256File(tmp);
    if (stored.sha256 !== local.sha256 || stored.bytes !== local.bytes) {
      rmSync(tmp, { force: true });
      throw new Error(`${key}: the copy hashes to ${stored.sha256}, expected ${local.sha256}`);
    }
    renameSync(tmp, dest);
    return "read-back" as const;
  }
}

export interface DockedClip {
  clipId: string;
  key: string;
  files: number;
}

export class ClipProblem extends Error {
  override name = "ClipProblem";
}

/** Read a finished clip's manifest; throws ClipProblem when it is not one. */
export function readClipManifest(clipDir: string): ClipManifest {
  const text = readFileSync(join(clipDir, CLIP_MANIFEST_FILE), "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ClipProblem(`${clipDir}: manifest.json is not JSON`);
  }
  const parsed = clipManifestSchema.safeParse(value);
  if (!parsed.success)
    throw new ClipProblem(
      `${clipDir}: manifest.json: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}

export class ClipDock {
  private readonly clock: Clock;

  constructor(
    private readonly clipsDir: string,
    private readonly target: DockTarget,
    private readonly opts: { prefix?: string; clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Finished clips not docked yet, oldest first. */
  pending(): string[] {
    if (!existsSync(this.clipsDir)) return [];
    return readdirSync(this.clipsDir)
      .filter((n) => existsSync(join(this.clipsDir, n, CLIP_MANIFEST_FILE)) && !this.docked(n))
      .sort();
  }

  docked(clipId: string): boolean {
    return existsSync(join(this.clipsDir, clipId, DOCKED_FILE));
  }

  /**
   * Dock one clip: check the local files against the manifest (a damaged clip is refused, never
   * uploaded as evidence), store every file, the manifest last, then mark it docked.
   */
  async dock(clipId: string): Promise<DockedClip> {
    const dir = join(this.clipsDir, clipId);
    const manifest = readClipManifest(dir);
    if (manifest.clipId !== clipId) throw new ClipProblem(`${dir}: manifest names clip ${manifest.clipId}`);
    const prefix = `${this.opts.prefix ?? ""}${clipKeyPrefix(manifest.camId, manifest.clipId)}`;
    for (const f of manifest.files) {
      const local = await sha256File(join(dir, f.file));
      if (local.sha256 !== f.sha256 || local.bytes !== f.bytes)
        throw new ClipProblem(
          `${dir}/${f.file}: hashes to ${local.sha256} (${local.bytes} bytes), the manifest says ${f.sha256}`,
        );
      await this.target.put(dir, f.file, `${prefix}${f.file}`, local);
    }
    const m = await sha256File(join(dir, CLIP_MANIFEST_FILE));
    await this.target.put(dir, CLIP_MANIFEST_FILE, `${prefix}${CLIP_MANIFEST_FILE}`, m);
    writeJsonAtomicSync(join(dir, DOCKED_FILE), {
      at: isoTime(this.clock.now()),
      target: this.target.description,
      key: prefix,
      manifestSha256: m.sha256,
    });
    return { clipId, key: prefix, files: manifest.files.length };
  }

  /** Dock every pending clip; a failing clip is reported and the next one is tried. */
  async dockAll(on: { docked?(c: DockedClip): void; failed?(clipId: string, err: Error): void } = {}) {
    const result = { docked: [] as DockedClip[], failed: [] as { clipId: string; error: string }[] };
    for (const clipId of this.pending()) {
      try {
        const c = await this.dock(clipId);
        result.docked.push(c);
        on.docked?.(c);
      } catch (err) {
        result.failed.push({ clipId, error: (err as Error).message });
        on.failed?.(clipId, err as Error);
      }
    }
    return result;
  }
}

/**
 * `--dock DIR|URL`: a directory, or `http(s)://HOST[:PORT]/BUCKET[/PREFIX/]` (path style: MinIO, Ceph
 * RGW, s3rver). Credentials from `credentialsFile` (as the car's offload reads them), otherwise the AWS
 * SDK's usual sources (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws).
 */
export async function openDockTarget(
  spec: string,
  opts: { credentialsFile?: string; region?: string } = {},
): Promise<{ target: DockTarget; prefix: string }> {
  if (!/^https?:\/\//.test(spec)) return { target: new DirectoryDockTarget(spec), prefix: "" };
  const url = new URL(spec);
  const [bucket, ...rest] = url.pathname.split("/").filter(Boolean);
  if (!bucket) throw new ClipProblem(`--dock ${spec}: expected http(s)://HOST:PORT/BUCKET[/PREFIX/]`);
  const prefix = rest.length > 0 ? `${rest.join("/")}/` : "";
  const { S3Client } = await import("@aws-sdk/client-s3");
  const { loadCredentials } = await import("../evidence/s3-credentials.js");
  const client = new S3Client({
    region: opts.region ?? "us-east-1",
    endpoint: url.origin,
    forcePathStyle: true,
    ...(opts.credentialsFile ? { credentials: loadCredentials(opts.credentialsFile) } : {}),
    maxAttempts: 2,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return { target: new S3DockTarget(client, bucket, `${url.origin}/${bucket}/${prefix}`), prefix };
}
