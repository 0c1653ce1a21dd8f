import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Logger } from "../core/logger.js";
import { loadCredentials } from "../evidence/s3-credentials.js";
import { AuthService } from "./auth-service.js";
import type { StationFile } from "./config.js";
import { Custody } from "./custody/custody-station.js";
import type { PublicStationKey } from "./custody/station-key.js";
import type { Db } from "./db.js";
import { FleetMonitor } from "./fleet-monitor.js";
import { FleetRepository } from "./fleet-repository.js";
import { HttpError, Router, sendJson } from "./http-router.js";
import { IncidentService } from "./incident-service.js";
import { Ingest } from "./ingest.js";
import { IngestLoop } from "./ingest-loop.js";
import { type ObjectStore, openFsStore, openS3Store } from "./object-store.js";
import { openDb } from "./open-db.js";
import { QuarantineRepository } from "./quarantine-repository.js";
import { SearchService } from "./search-service.js";
import { type ApiServices, registerApi, statusOf } from "./station-api.js";

/**
 * The station's composition root: database, object store, ingest worker, fleet monitor and the HTTP
 * server, built from the validated config. Stateless apart from the database: run N of these
 * against one PostgreSQL and one bucket.
 */
export interface StationStartOptions {
  /** Extra routes (the web UI pages) registered after the API; `key` is the export-signing public key. */
  routes?: (router: Router, services: ApiServices, key: PublicStationKey) => void;
  /** Run the ingest loop (default: `station.ingest.enabled`). */
  ingest?: boolean;
}

export async function openStore(
  file: StationFile,
): Promise<{ store: ObjectStore; bucket: string; prefix: string }> {
  const s = file.station.storage;
  if (s.path) return { store: openFsStore(s.path), bucket: "", prefix: "" };
  if (!s.s3) throw new Error("station.storage: set s3 or path");
  const store = await openS3Store({
    endpoint: s.s3.endpoint,
    region: s.s3.region,
    bucket: s.s3.bucket,
    forcePathStyle: s.s3.forcePathStyle,
    credentials: s.s3.credentialsFile ? loadCredentials(s.s3.credentialsFile) : undefined,
  });
  return { store, bucket: s.s3.bucket, prefix: s.s3.prefix };
}

export function openStationDb(file: StationFile): Promise<Db> {
  const c = file.station;
  return openDb({ url: c.database.url, dataDir: join(c.dataDir, "db"), poolSize: c.database.poolSize });
}

export class Station {
  private server: Server | undefined;
  private fleet: FleetMonitor | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private ingestLoop: IngestLoop | undefined;
  readonly router = new Router();
  ingest: Ingest | undefined;
  custody: Custody | undefined;
  port = 0;

  private constructor(
    readonly file: StationFile,
    readonly db: Db,
    readonly store: ObjectStore,
    private readonly log: Logger,
  ) {}

  static async start(file: StationFile, log: Logger, opts: StationStartOptions = {}): Promise<Station> {
    const db = await openStationDb(file);
    let station: Station | undefined;
    try {
      const { store, bucket, prefix } = await openStore(file);
      station = new Station(file, db, store, log);
      await station.run(bucket, prefix, opts);
      return station;
    } catch (err) {
      if (station) await station.stop();
      else await db.close();
      throw err;
    }
  }

  private async run(bucket: string, prefix: string, opts: StationStartOptions): Promise<void> {
    const c = this.file.station;
    const ingest = new Ingest({
      db: this.db,
      store: this.store,
      bucket,
      prefix,
      log: this.log.child({ component: "ingest" }),
      leaseSeconds: c.ingest.leaseSeconds,
      maxManifestBytes: c.ingest.maxManifestBytes,
      concurrency: c.ingest.concurrency,
    });
    this.ingest = ingest;
    // custody (issue 15): station key, audit chain, retention sweep, custody routes
    const custody = await Custody.open(this.file, this.db, this.store, this.log);
    this.custody = custody;
    const quarantine = new QuarantineRepository(this.db);
    const services: ApiServices = {
      db: this.db,
      auth: new AuthService(this.db, c.http.sessionHours * 3600_000),
      search: new SearchService(this.db),
      incidents: new IncidentService(this.db),
      quarantine,
      store: this.store,
      scanNow: async () => {
        const r = await ingest.scanNow();
        this.kick();
        return r.queued;
      },
      sessionHours: c.http.sessionHours,
      secureCookies: c.http.secureCookies,
      onMediaRead: custody.onMediaRead,
      onIncidentChange: custody.onIncidentChange,
      onSignInRefused: custody.onSignInRefused,
      onAccountUnlocked: custody.onAccountUnlocked,
    };
    registerApi(this.router, services);
    custody.register(this.router);
    opts.routes?.(this.router, services, custody.publicKey);
    await this.listen(services);
    custody.start();
    if (c.mqtt) {
      this.fleet = new FleetMonitor({
        ...c.mqtt,
        fleet: new FleetRepository(this.db),
        log: this.log.child({ component: "fleet" }),
        onUpload: (key) => {
          ingest
            .announce(key)
            .then(() => this.kick())
            .catch((err: unknown) =>
              this.log.warn({ key, err: String(err) }, "ingest: announcement not followed"),
            );
        },
      });
      await this.fleet.start();
    }
    if (opts.ingest ?? c.ingest.enabled) {
      this.ingestLoop = new IngestLoop(ingest, {
        scanEveryMs: c.ingest.scanIntervalSeconds * 1000,
        log: this.log,
      });
      this.loop = this.ingestLoop.run(this.abort.signal);
    }
  }

  private async listen(services: ApiServices): Promise<void> {
    const server = createServer((req, res) => {
      res.setHeader("x-content-type-options", "nosniff");
      res.setHeader("x-frame-options", "DENY");
      res.setHeader("referrer-policy", "no-referrer");
      this.router
        .handle(req, res, (token) => services.auth.userOf(token))
        .then((handled) => {
          if (!handled) throw new HttpError(404, "not found");
        })
        .catch((err: unknown) => {
          const status = statusOf(err);
          if (status === null) this.log.error({ url: req.url, err: String(err) }, "http: request failed");
          if (res.headersSent) {
            res.destroy();
            return;
          }
          sendJson(
            res,
            status ?? 500,
            { error: status === null ? "internal error" : (err as Error).message },
            err instanceof HttpError ? err.headers : {},
          );
        });
    });
    this.server = server;
    const { host, port } = this.file.station.http;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    this.log.info({ host, port: this.port }, "station: listening");
  }

  /** Wake the ingest loop now (after an announcement or a manual scan). */
  kick(): void {
    this.ingestLoop?.kick();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.kick();
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 10_000))]);
    await this.fleet?.stop().catch(() => {});
    await this.custody?.stop();
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    this.store.close();
    await this.db.close();
  }
}
