import { readFileSync } from "node:fs";
import type { MqttClient } from "mqtt";
import { z } from "zod";
import { backlogSchema, uploadPayloadSchema } from "../bodycam/payloads.js";
import type { Logger } from "../core/logger.js";
import type { FleetRepository } from "./fleet-repository.js";

/**
 * The station's MQTT side: every car's retained `camsync/v1/{vehicleId}/status` (bridged from the
 * car's broker to the agency's) goes into the fleet table, and `camsync/v1/{source}/upload`
 * announcements (docs/protocol.md) make ingest list that prefix at once. Payloads are validated;
 * a malformed one is logged and ignored.
 */
export const STATUS_TOPIC = "camsync/v1/+/status";
export const UPLOAD_TOPIC = "camsync/v1/+/upload";

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

const statusSchema = z.looseObject({
  v: z.literal(1),
  online: z.boolean(),
  state: z.string().max(32).optional(),
  eventId: z.string().max(100).nullable().optional(),
  // checked on its own (backlogSchema, protocol v1): a bad backlog must not lose the rest of the status
  backlog: z.unknown().optional(),
  at: z.string().optional(),
});

export interface FleetMonitorOptions {
  url: string;
  clientId?: string | undefined;
  username?: string | undefined;
  passwordFile?: string | undefined;
  fleet: FleetRepository;
  /** Called with the announced prefix (relative to the bucket prefix). */
  onUpload(keyPrefix: string): void;
  log: Logger;
  now?: () => number;
}

function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch {
    return undefined;
  }
}

export class FleetMonitor {
  private client: MqttClient | undefined;

  constructor(private readonly opts: FleetMonitorOptions) {}

  async start(): Promise<void> {
    const mqtt = await import("mqtt");
    const password = this.opts.passwordFile ? readFileSync(this.opts.passwordFile, "utf8").trim() : undefined;
    const client = mqtt.connect(this.opts.url, {
      // The client id is the identity on camsync's brokers (docs/protocol.md): the username when there is one.
      clientId: this.opts.clientId ?? this.opts.username ?? `camsync-station-${process.pid}`,
      protocolVersion: 4,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ...(this.opts.username ? { username: this.opts.username } : {}),
      ...(password ? { password } : {}),
    });
    this.client = client;
    client.on("connect", () => {
      client.subscribe([STATUS_TOPIC, UPLOAD_TOPIC], { qos: 1 }, (err) => {
        if (err) this.opts.log.error({ err: err.message }, "fleet: subscribe failed");
        else this.opts.log.info({ url: this.opts.url }, "fleet: subscribed to status and upload topics");
      });
    });
    client.on("error", (err) => this.opts.log.warn({ err: err.message }, "fleet: broker connection problem"));
    client.on("message", (topic, payload) => {
      this.handle(topic, payload).catch((err: unknown) =>
        this.opts.log.error({ topic, err: String(err) }, "fleet: message not stored"),
      );
    });
  }

  /** One message (exposed for tests of the parsing rules). */
  async handle(topic: string, payload: Buffer): Promise<void> {
    const parts = topic.split("/");
    if (parts.length !== 4 || parts[0] !== "camsync" || parts[1] !== "v1") return;
    const source = parts[2] ?? "";
    if (!ID.test(source)) return;
    if (parts[3] === "status") {
      const s = statusSchema.safeParse(parseJson(payload));
      if (!s.success) {
        this.opts.log.warn({ topic }, "fleet: malformed status ignored");
        return;
      }
      const at = s.data.at && !Number.isNaN(Date.parse(s.data.at)) ? s.data.at : undefined;
      const backlog = s.data.backlog === undefined ? undefined : backlogSchema.safeParse(s.data.backlog);
      if (backlog?.success === false) this.opts.log.warn({ topic }, "fleet: malformed backlog ignored");
      await this.opts.fleet.update({
        vehicleId: source,
        online: s.data.online,
        state: s.data.state ?? null,
        eventId: s.data.eventId ?? null,
        recording: s.data.online && (s.data.state === "active" || s.data.state === "post-roll"),
        backlog: backlog?.success ? backlog.data.events : null,
        lastSeen: new Date(at ?? (this.opts.now ?? Date.now)()).toISOString(),
        status: { ...s.data, backlog: backlog?.success ? backlog.data : undefined },
      });
    } else if (parts[3] === "upload") {
      const a = uploadPayloadSchema.safeParse(parseJson(payload));
      if (!a.success) {
        this.opts.log.warn({ topic }, "fleet: malformed upload announcement ignored");
        return;
      }
      this.opts.log.info({ source, key: a.data.key }, "fleet: upload announced; ingesting it now");
      this.opts.onUpload(a.data.key);
    }
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.endAsync(true);
  }
}
