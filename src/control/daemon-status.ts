import type { BodycamSyncStatus } from "../bodycam/bodycam-sync-status.js";
import type { ActivationStatus } from "../core/activation-service.js";
import type { Alert } from "../core/event-bus.js";
import type { HealthRollup, HealthState } from "../core/health.js";
import type { AuditLog } from "../evidence/audit-log.js";
import type { Offload } from "../evidence/offload.js";
import type { Retention } from "../evidence/retention.js";
import type { InputStatus } from "../inputs/input-channel.js";
import type { RecorderStatus } from "../recorder/recorder-status.js";
import type { GpsReceiver } from "../vehicle/gps-receiver.js";
import type { VehicleBus } from "../vehicle/vehicle-bus.js";

/** The status page's own status (`components["status-page"]`). */
export interface StatusPageStatus {
  /** Where it listens, null when not serving. */
  url: string | null;
  liveClients: number;
  /** Whether a bearer token is required. */
  token: boolean;
}

/** A component's latest health report. */
export interface HealthEntry {
  state: HealthState;
  detail: string | undefined;
  /** ISO-8601 UTC. */
  at: string;
}

/** Every started component's status, by component name (absent when not configured or not started). */
export interface ComponentStatuses {
  audit?: ReturnType<AuditLog["status"]>;
  inputs?: { gpio: InputStatus[] };
  "vehicle-bus"?: ReturnType<VehicleBus["status"]>;
  gps?: ReturnType<GpsReceiver["status"]>;
  recorder?: RecorderStatus;
  "bodycam-sync"?: BodycamSyncStatus;
  offload?: ReturnType<Offload["status"]>;
  retention?: ReturnType<Retention["status"]>;
  "status-page"?: StatusPageStatus;
  [component: string]: unknown;
}

/**
 * The daemon's state: the control socket's `status` answer (`camsync status --json`), what the status
 * page and the demo render. The activation engine's fields are at the top level.
 */
export interface DaemonStatus extends ActivationStatus {
  v: 1;
  vehicle: string;
  version: string;
  /** ISO-8601 UTC. */
  at: string;
  uptimeSeconds: number;
  /**
   * While the engine has an event (active or post-roll): whether the recorder has it open. false means the
   * event is NOT being recorded (the recorder refused it), whatever the engine says. null when idle.
   */
  eventRecorded?: boolean | null;
  /** The dash cameras, rolled up (core/health.ts). */
  recorder: HealthRollup;
  /** The vehicle (CAN) bus, rolled up. */
  canBus: HealthRollup;
  /** Every component's latest health report, by component name (`recorder:front`, `can`, `gps` …). */
  health: Record<string, HealthEntry>;
  /** The most recent alerts, oldest first. */
  alerts: Alert[];
  components: ComponentStatuses;
}
