import type { CarLatency } from "./car-status-publisher.js";
import type { ConfirmationView } from "./confirmation.js";
import type { DecodeFailure } from "./payload-decoder.js";
import type { BodycamSummary } from "./payloads.js";

/** Body-cam sync's status (`components["bodycam-sync"]`). */
export interface BodycamSyncStatus {
  /** Connected to the in-car broker. */
  connected: boolean;
  /** `mqtt://…` of the embedded broker when the daemon runs one. */
  embeddedBroker: string | null;
  outboxPending: number;
  state: "idle" | "active" | "post-roll";
  eventId: string | null;
  bodycams: BodycamSummary[];
  confirmations: ConfirmationView[];
  /** Invalid MQTT payloads dropped since start, by why. */
  droppedPayloads: Record<DecodeFailure, number>;
  received: { echoes: number; foreign: number; unpaired: number; received: number; duplicates: number };
  /** Trigger → activation on the MQTT socket, and that publish → each body cam's confirmation. */
  latency: CarLatency;
}
