import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const SCRIPT = resolve(import.meta.dirname, "s3rver-process.mjs");

export interface S3Request {
  method: string;
  path: string;
  partNumber: number | null;
  query: string[];
}

/** Switches of test/evidence/s3rver-process.mjs (see there). */
export interface ServerFaults {
  dieOnPart?: number;
  corrupt?: boolean;
  checksums?: boolean;
  listParts?: boolean;
}

/** Where s3rver keeps the parts of an unfinished multipart upload. */
export const uploadsDir = (dir: string, bucket: string) => join(dir, bucket, "._S3rver_uploads");

/** A real s3rver process on loopback, with its data directory kept across restarts. */
export class S3ServerProcess {
  readonly dir = mkdtempSync(join(tmpdir(), "camsync-s3rver-"));
  readonly requests: S3Request[] = [];
  port = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly bucket = "evidence") {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Start (or restart on the same port); resolves once it listens. */
  async start(env: ServerFaults = {}): Promise<void> {
    const child = spawn(process.execPath, [SCRIPT], {
      env: {
        ...process.env,
        S3_DIR: this.dir,
        S3_BUCKET: this.bucket,
        S3_PORT: String(this.port),
        ...(env.dieOnPart !== undefined ? { S3_DIE_ON_PART: String(env.dieOnPart) } : {}),
        ...(env.corrupt ? { S3_CORRUPT: "1" } : {}),
        ...(env.checksums ? { S3_CHECKSUMS: "1" } : {}),
        ...(env.listParts ? { S3_LIST_PARTS: "1" } : {}),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.child = child;
    this.exited = new Promise((r) => child.once("exit", () => r()));
    let buffered = "";
    await new Promise<void>((resolveReady, reject) => {
      child.once("exit", (code, signal) =>
        reject(new Error(`s3rver exited before ready (${code ?? signal})`)),
      );
      child.stdout?.setEncoding("utf8");
      child.stdout?.on("data", (chunk: string) => {
        buffered += chunk;
        for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.startsWith("READY ")) {
            this.port = Number(line.slice(6));
            resolveReady();
          } else if (line.startsWith("{")) {
            this.requests.push(JSON.parse(line) as S3Request);
          }
        }
      });
    });
  }

  /** Resolves when the current process has exited (e.g. after it killed itself mid-upload). */
  waitExit(): Promise<void> {
    return this.exited;
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Where s3rver keeps an object's bytes. */
  objectFile(key: string): string {
    const parts = key.split("/");
    const last = parts.pop() as string;
    return join(this.dir, this.bucket, ...parts, `${last}._S3rver_object`);
  }

  partUploads(): S3Request[] {
    return this.requests.filter((r) => r.method === "PUT" && r.partNumber !== null);
  }
}
