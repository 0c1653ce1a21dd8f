import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { AuthService } from "../station/auth-service.js";
import { parseStationConfig } from "../station/config.js";
import { Station } from "../station/station.js";
import { registerWebPages } from "../station/web/web-routes.js";
import type { DemoStorage } from "./demo-storage.js";

/**
 * The demo's station: `camsync station` in the demo process, on the embedded bucket, with the embedded
 * PGlite index in `{dataDir}/station` and one account to sign in with. It lists the bucket every two
 * seconds, so an offloaded event and its docked clips appear as one incident moments after upload.
 */
export const DEMO_STATION_USER = { name: "demo", password: "demo-station", role: "supervisor" } as const;

export class DemoStation {
  readonly user = DEMO_STATION_USER;

  private constructor(
    private readonly station: Station,
    readonly url: string,
  ) {}

  static async start(opts: {
    dataDir: string;
    storage: DemoStorage;
    log: Logger;
    host?: string;
    port?: number;
    /** The car's broker, for the fleet view. */
    mqtt?: { url: string; username: string; password: string };
  }): Promise<DemoStation> {
    const host = opts.host ?? "127.0.0.1";
    const stationDir = join(opts.dataDir, "station");
    mkdirSync(stationDir, { recursive: true });
    let mqtt: { url: string; username: string; passwordFile: string } | undefined;
    if (opts.mqtt) {
      const passwordFile = join(stationDir, "mqtt-password");
      writeFileSync(passwordFile, opts.mqtt.password, { mode: 0o600 });
      mqtt = { url: opts.mqtt.url, username: opts.mqtt.username, passwordFile };
    }
    const file = parseStationConfig(
      {
        station: {
          dataDir: stationDir,
          storage: {
            s3: {
              endpoint: opts.storage.endpoint,
              bucket: opts.storage.bucket,
              credentialsFile: opts.storage.credentialsFile,
            },
          },
          http: { host, port: opts.port ?? 0 },
          ingest: { scanIntervalSeconds: 2 },
          ...(mqtt ? { mqtt } : {}),
        },
      },
      "demo station",
    );
    const station = await Station.start(file, opts.log.child({ component: "station" }), {
      routes: (router, _services, key) => registerWebPages(router, key),
    });
    try {
      const auth = new AuthService(station.db, file.station.http.sessionHours * 3_600_000);
      const u = DEMO_STATION_USER;
      await auth.addUser(u.name, u.password, u.role, true);
    } catch (err) {
      await station.stop();
      throw err;
    }
    return new DemoStation(station, `http://${host}:${station.port}/`);
  }

  stop(): Promise<void> {
    return this.station.stop();
  }
}
