import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/**
 * The demo's evidence bucket: s3rver (an S3-compatible server in Node) embedded in the demo process, on
 * loopback, keeping its objects in `{dataDir}/s3`. The car's offload and the body cams' docks upload
 * to it through their real S3 code, and the station ingests from it through its real S3 code — the
 * same path as a MinIO or AWS bucket, which a filesystem backend would skip for the car.
 *
 * s3rver is a devDependency: `npm ci` (and so `npm start`) installs it; an install without dev
 * dependencies has no s3rver, and the demo then runs without the station part (and says so).
 */
export const DEMO_BUCKET = "evidence";
/** s3rver's fixed access key (it accepts no other). */
export const DEMO_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

interface S3rverApp {
  configureBuckets(): Promise<void>;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
type S3rverClass = new (opts: {
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverApp;

function isS3rverClass(v: unknown): v is S3rverClass {
  return typeof v === "function";
}

export class DemoStorage {
  readonly bucket = DEMO_BUCKET;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    readonly credentialsFile: string,
  ) {}

  /** Start s3rver on 127.0.0.1 (any free port); null when s3rver is not installed. */
  static async start(dataDir: string): Promise<DemoStorage | null> {
    const name = "s3rver";
    let mod: unknown;
    try {
      mod = await import(name);
    } catch {
      return null;
    }
    const S3rver = (mod as { default?: unknown }).default;
    if (!isS3rverClass(S3rver)) return null;
    const directory = join(dataDir, "s3");
    mkdirSync(directory, { recursive: true });
    const app = new S3rver({ directory, silent: true, configureBuckets: [{ name: DEMO_BUCKET }] });
    await app.configureBuckets();
    const server = createServer(app.callback());
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const credentialsFile = join(dataDir, "s3-credentials.json");
    writeFileSync(credentialsFile, JSON.stringify(DEMO_S3_CREDENTIALS), { mode: 0o600 });
    const { port } = server.address() as AddressInfo;
    return new DemoStorage(server, `http://127.0.0.1:${port}`, credentialsFile);
  }

  /** Where a body cam docks: `http://127.0.0.1:PORT/evidence/`. */
  get dockUrl(): string {
    return `${this.endpoint}/${DEMO_BUCKET}/`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
