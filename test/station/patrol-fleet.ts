import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { controlRequest } from "../../src/control/control-client.js";
import { CliProcess, repoRoot } from "../support/cli.js";

/**
 * Patrol cars for the station's end-to-end test, as real processes: each car is `camsync run` (simulated
 * light bar and button, a small test-pattern camera, the demo's replayed CAN capture and GPS track, its
 * embedded broker) offloading to the given S3 endpoint, with one `camsync bodycam` recording real clips
 * and docking them to the same bucket. The replayed drive sets off at 15 s and switches the emergency
 * lights on at 28 s: the CAN rule starts the car's event, and the body cam follows.
 */
export interface CarSpec {
  vehicleId: string;
  officer: string;
  camId: string;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function writeS3Credentials(path: string): string {
  writeFileSync(path, JSON.stringify({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }));
  chmodSync(path, 0o600);
  return path;
}

export class PatrolCar {
  daemon!: CliProcess;
  cam!: CliProcess;
  readonly dataDir: string;
  readonly clipsDir: string;
  brokerUrl = "";
  /** The car's own identity on its broker ("camsync"), for the station's fleet view. */
  readonly daemonPassword: string;
  /** The station's read-only identity on this car's broker (`station`), for the fleet view. */
  readonly observerPassword: string;

  constructor(
    readonly spec: CarSpec,
    private readonly dir: string,
    private readonly s3: { endpoint: string; bucket: string; credentialsFile: string },
  ) {
    this.dataDir = join(dir, spec.vehicleId, "data");
    this.clipsDir = join(dir, spec.vehicleId, "clips");
    this.daemonPassword = `pw-camsync-${spec.vehicleId}`;
    this.observerPassword = `pw-station-${spec.vehicleId}`;
    mkdirSync(this.dataDir, { recursive: true });
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.brokerUrl = `mqtt://127.0.0.1:${port}`;
    const { vehicleId, officer, camId } = this.spec;
    const config = join(this.dir, `${vehicleId}.yaml`);
    const demo = (file: string) => join(repoRoot, "config", file);
    writeFileSync(
      config,
      `vehicle: { id: ${vehicleId}, name: "Car ${vehicleId}", officer: "${officer}" }
dataDir: ${this.dataDir}
activation: { preEventSeconds: 4, postRollSeconds: 2, stopOn: manual }
inputs:
  gpio:
    - { name: lightbar, role: lightbar, backend: simulated, activeLow: true }
    - { name: button, role: button, backend: simulated, activeLow: true }
vehicleBus:
  enabled: true
  source: { type: replay, file: ${demo("demo-can.candump")}, speed: 1, loop: true }
  signals:
    - { name: VehicleSpeed, id: 0x0D1, start: 0, length: 16, order: intel, scale: 0.01, unit: km/h }
    - { name: EmergencyLights, id: 0x3B3, start: 0, length: 1, valueTable: { 0: "Off", 1: "On" } }
  rules:
    - { name: emergency-lights, signal: EmergencyLights, op: equals, value: "On" }
gps:
  enabled: true
  source: { type: replay, file: ${demo("demo-gps.nmea")}, speed: 1, loop: true }
recorder:
  cameras:
    - name: front
      input: { type: test, pattern: testsrc2, toneHz: 1000 }
      video: { width: 320, height: 180, fps: 10, bitrateKbps: 300 }
      audio: { enabled: false }
  storage: { reserveMinutes: 1, minFreeBytes: 67108864 }
mqtt:
  protocolVersion: 4
  password: ${this.daemonPassword}
  embeddedBroker:
    enabled: true
    host: 127.0.0.1
    port: ${port}
    observers: [{ username: station, password: ${this.observerPassword} }]
bodycams:
  paired:
    - { id: ${camId}, name: "Officer ${officer}", password: pw-${camId} }
  confirmTimeoutMs: 3000
evidence:
  offload:
    enabled: true
    endpoint: ${this.s3.endpoint}
    bucket: ${this.s3.bucket}
    credentialsFile: ${this.s3.credentialsFile}
    probeIntervalSeconds: 1
    maxBackoffSeconds: 2
control:
  statusPage: { enabled: false }
`,
    );
    this.daemon = new CliProcess(["run", "--config", config]);
    await this.daemon.waitFor((l) => l.msg === "camsync ready", 30_000, `${vehicleId} ready`);
    this.cam = new CliProcess(
      [
        "bodycam",
        "--id",
        camId,
        "--url",
        this.brokerUrl,
        "--vehicle",
        vehicleId,
        "--clips",
        this.clipsDir,
        "--officer",
        officer,
        "--dock",
        `${this.s3.endpoint}/${this.s3.bucket}/`,
        "--dock-credentials",
        this.s3.credentialsFile,
      ],
      { env: { CAMSYNC_BODYCAM_PASSWORD: `pw-${camId}` } },
    );
    await this.cam.waitFor((l) => l.event === "connected", 15_000, `${camId} connected`);
  }

  private control(request: Parameters<typeof controlRequest>[1]) {
    return controlRequest(join(this.dataDir, "control.sock"), request);
  }

  /** The replayed CAN capture switches the emergency lights on: the car starts an event and its body
   * cam follows; resolves with the event id. */
  async lightsOn(): Promise<string> {
    const started = await this.cam.waitFor(
      (l) => l.event === "clip-started" && typeof l.eventId === "string",
      60_000,
      `${this.spec.camId} recording`,
    );
    return started.eventId as string;
  }

  /** The officer stops the event (manual stop); the cam's clip ends with it and is docked. */
  async stop(eventId: string): Promise<void> {
    const r = await this.control({ op: "trigger", kind: "stop", via: "e2e" });
    if (!r.ok) throw new Error(`${this.spec.vehicleId}: ${JSON.stringify(r)}`);
    await this.cam.waitFor((l) => l.event === "clip-docked", 30_000, `${this.spec.camId} docked`);
    await this.daemon.waitFor(
      (l) => l.msg === "offload: event uploaded and verified" && JSON.stringify(l).includes(eventId),
      60_000,
      `${eventId} offloaded`,
    );
  }

  async shutdown(): Promise<void> {
    await this.cam?.stop("SIGTERM");
    await this.daemon?.stop("SIGTERM");
  }
}
