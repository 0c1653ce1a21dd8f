import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { z } from "zod";
import { BodycamSync } from "../../src/bodycam/bodycam-sync.js";
import { CAPTURE_FILE } from "../../src/bodycam/clip-recorder.js";
import { bodycamConfigSchema, mqttConfigSchema } from "../../src/bodycam/config.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/bodycam/embedded-broker.js";
import { MosquittoProcess } from "../../src/bodycam/mosquitto-process.js";
import { ReconnectingMqttLink } from "../../src/bodycam/mqtt-link.js";
import { ReferenceBodycam, type ReferenceBodycamOptions } from "../../src/bodycam/reference-bodycam.js";
import type { Decision } from "../../src/core/activation.js";
import { ActivationService } from "../../src/core/activation-service.js";
import { type Clock, systemClock } from "../../src/core/clock.js";
import { activationConfigSchema } from "../../src/core/config.js";
import { type Alert, type BodycamConfirmation, EventBus } from "../../src/core/event-bus.js";
import { silentLogger } from "../../src/core/logger.js";
import type { Trigger } from "../../src/core/trigger.js";
import { FakeClock } from "../support/fake-clock.js";

/** The default policy, from the schema (the one place defaults are written). */
const DEFAULT_POLICY = activationConfigSchema.parse({});

export const repoRoot = resolve(import.meta.dirname, "../..");
/** Paired with every test vehicle. bc9 has credentials on both brokers but is never paired. */
export const PAIRED = ["bc1", "bc2", "bc3", "bc4"];
export const ALL_IDS = [...PAIRED, "bc9"];

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Until a body-cam clip's capture file has data. ffmpeg runs with -re: a clip's footage starts at its first
 * frame, not at the spawn (which a loaded machine can delay by seconds), so a test that records "for N
 * seconds" starts counting here.
 */
export function firstClipFrame(clipsDir: string, clipId: string): Promise<void> {
  return waitFor(
    `the first frame of clip ${clipId}`,
    () => (statSync(join(clipsDir, clipId, CAPTURE_FILE), { throwIfNoEntry: false })?.size ?? 0) > 0,
    10_000,
  );
}

/** A broker the tests run against, with the identities it knows. */
export interface BrokerFixture {
  kind: "mosquitto" | "embedded";
  /** MQTT config for the daemon (identity "camsync"). */
  daemonMqtt(): NonNullable<z.input<typeof mqttConfigSchema>>;
  /** Connection options for a body cam with this identity. */
  camOptions(
    id: string,
  ): Pick<ReferenceBodycamOptions, "url" | "ca" | "cert" | "key" | "password" | "protocolVersion">;
  /**
   * A plain MQTT client with this identity (a body cam's, or the daemon's "camsync"), connecting with
   * `clientId` (the identity's own id unless a test tries another).
   */
  rawClient(identity: string, clientId?: string): Promise<MqttClient>;
  /**
   * Stop the broker, run `meanwhile`, start it again on the same port. Mosquitto keeps its
   * persistence (retained messages, sessions); the embedded broker loses everything.
   */
  restart(meanwhile?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function mosquittoFixture(): Promise<BrokerFixture> {
  const dir = mkdtempSync(join(tmpdir(), "camsync-mosq-"));
  const certDir = join(dir, "certs");
  execFileSync("bash", [join(repoRoot, "scripts/make-certs.sh"), certDir, ...ALL_IDS], { stdio: "ignore" });
  const broker = await MosquittoProcess.start({
    dir,
    shippedConfigPath: join(repoRoot, "config/mosquitto/mosquitto.conf"),
    aclFile: join(repoRoot, "config/mosquitto/acl"),
    certDir,
  });
  const url = `mqtts://127.0.0.1:${broker.port}`;
  const file = (name: string) => readFileSync(join(certDir, name));
  return {
    kind: "mosquitto",
    daemonMqtt: () => ({
      url,
      protocolVersion: 5,
      caFile: join(certDir, "ca.crt"),
      certFile: join(certDir, "camsync.crt"),
      keyFile: join(certDir, "camsync.key"),
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
    }),
    camOptions: (id) => ({
      url,
      ca: file("ca.crt"),
      cert: file(`${id}.crt`),
      key: file(`${id}.key`),
      protocolVersion: 5,
    }),
    rawClient: (identity, clientId) =>
      mqtt.connectAsync(url, {
        clientId: clientId ?? identity,
        ca: file("ca.crt"),
        cert: file(`${identity}.crt`),
        key: file(`${identity}.key`),
        reconnectPeriod: 0,
      } satisfies IClientOptions),
    // A service restart (SIGTERM): Mosquitto saves retained messages and persistent sessions.
    restart: async (meanwhile) => {
      await broker.stop("SIGTERM");
      await meanwhile?.();
      await broker.launch();
    },
    close: async () => {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function embeddedFixture(): Promise<BrokerFixture> {
  const users = [
    { username: "camsync", password: "daemon-secret" },
    ...ALL_IDS.map((id) => ({ username: id, password: `pw-${id}` })),
  ];
  const start = (port: number) =>
    startEmbeddedBroker({
      host: "127.0.0.1",
      port,
      vehicleId: "any",
      daemonUsername: "camsync",
      users,
      logger: silentLogger(),
    });
  let broker: EmbeddedBroker = await start(0);
  const port = broker.port;
  const url = `mqtt://127.0.0.1:${port}`;
  return {
    kind: "embedded",
    daemonMqtt: () => ({
      url,
      protocolVersion: 4,
      password: "daemon-secret",
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
    }),
    camOptions: (id) => ({ url, password: `pw-${id}`, protocolVersion: 4 }),
    rawClient: (identity, clientId) =>
      mqtt.connectAsync(url, {
        clientId: clientId ?? identity,
        username: identity,
        password: identity === "camsync" ? "daemon-secret" : `pw-${identity}`,
        protocolVersion: 4,
        reconnectPeriod: 0,
      }),
    restart: async (meanwhile) => {
      await broker.close();
      await meanwhile?.();
      broker = await start(port);
    },
    close: () => broker.close(),
  };
}

/** The daemon side under test: body-cam sync + the real activation service, on one bus. */
export class DaemonUnderTest {
  readonly bus = new EventBus();
  readonly triggers: Trigger[] = [];
  readonly alerts: Alert[] = [];
  readonly decisions: Decision[] = [];
  readonly confirmations: BodycamConfirmation[] = [];
  /** Every connect (with the broker's session-present flag) and disconnect of the daemon's MQTT link. */
  readonly linkEvents: ({ type: "connect"; sessionPresent: boolean } | { type: "disconnect" })[] = [];
  readonly sync: BodycamSync;
  readonly activation: ActivationService;
  /** Once frozen, the MQTT link never reconnects (a killed daemon). */
  private frozen = false;

  constructor(
    readonly vehicleId: string,
    readonly dataDir: string,
    broker: BrokerFixture,
    opts: { confirmTimeoutMs?: number; paired?: string[]; postRollSeconds?: number } = {},
  ) {
    this.bus.setListenerErrorHandler((err) => {
      throw err;
    });
    this.bus.on("trigger", (t) => this.triggers.push(t));
    this.bus.on("alert", (a) => this.alerts.push(a));
    this.bus.on("decision", (d) => this.decisions.push(d));
    this.bus.on("bodycam-confirmation", (c) => this.confirmations.push(c));
    this.sync = new BodycamSync({
      config: {
        mqtt: mqttConfigSchema.parse(broker.daemonMqtt()),
        bodycams: bodycamConfigSchema.parse({
          paired: (opts.paired ?? PAIRED).map((id) => ({ id })),
          confirmTimeoutMs: opts.confirmTimeoutMs ?? 3000,
          maxResends: 2,
        }),
      },
      vehicle: { id: vehicleId },
      dataDir,
      bus: this.bus,
      clock: systemClock,
      logger: silentLogger(),
      connect: (o) => {
        const link = new ReconnectingMqttLink({ ...o, clock: this.linkClock(o.clock) });
        link.on("connect", ({ sessionPresent }) => this.linkEvents.push({ type: "connect", sessionPresent }));
        link.on("disconnect", () => this.linkEvents.push({ type: "disconnect" }));
        return link;
      },
    });
    this.activation = new ActivationService({
      policy: { ...DEFAULT_POLICY, postRollSeconds: opts.postRollSeconds ?? 0 },
      vehicleId,
      statePath: join(dataDir, "state", "activation.jsonl"),
      bus: this.bus,
      clock: systemClock,
      log: { info: () => {}, warn: () => {}, error: () => {} },
    });
  }

  /** Start the sync first so it sees the activation service's resume decision. */
  async start(): Promise<this> {
    await this.sync.start();
    await this.activation.start();
    return this;
  }

  private linkClock(base: Clock): Clock {
    const frozen = new FakeClock();
    const pick = () => (this.frozen ? frozen : base);
    return {
      now: () => base.now(),
      monotonic: () => base.monotonic(),
      setTimeout: (fn, ms) => pick().setTimeout(fn, ms),
      clearTimeout: (h) => base.clearTimeout(h),
      setInterval: (fn, ms) => pick().setInterval(fn, ms),
      clearInterval: (h) => base.clearInterval(h),
    };
  }

  /**
   * Simulate `kill -9` mid-event: from now on nothing of this instance reaches the broker again (its
   * link never reconnects once the current connection drops) and the activation service stops
   * taking decisions (its state was persisted right after each decision, as after a crash).
   * Only the on-disk state and outbox are left for the next instance.
   */
  async kill(): Promise<void> {
    this.frozen = true;
    await this.activation.stop();
  }

  get connected(): boolean {
    return (this.sync.status() as { connected: boolean }).connected;
  }

  lightsOn(): void {
    this.bus.emit("trigger", {
      origin: { kind: "lightbar", id: "lightbar" },
      active: true,
      at: Date.now(),
      reason: "light bar on",
    });
  }

  lightsOff(): void {
    this.bus.emit("trigger", {
      origin: { kind: "lightbar", id: "lightbar" },
      active: false,
      at: Date.now(),
      reason: "light bar off",
    });
  }

  stopByHand(): void {
    this.bus.emit("command", {
      kind: "stop",
      origin: { kind: "button", id: "dash" },
      at: Date.now(),
      reason: "officer stop",
    });
  }

  get eventId(): string | null {
    return (this.activation.status() as { eventId: string | null }).eventId;
  }

  async stop(): Promise<void> {
    await this.activation.stop();
    await this.sync.stop();
  }
}

/** Start reference body cams on a broker. */
export async function startCams(
  broker: BrokerFixture,
  vehicleId: string,
  ids: string[],
  extra: Partial<ReferenceBodycamOptions> = {},
): Promise<ReferenceBodycam[]> {
  const cams = ids.map((id) => new ReferenceBodycam({ id, vehicleId, ...broker.camOptions(id), ...extra }));
  await Promise.all(cams.map((c) => c.start()));
  return cams;
}
