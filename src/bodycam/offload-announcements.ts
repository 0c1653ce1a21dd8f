import type { EventBus } from "../core/event-bus.js";
import type { CarStatusPublisher } from "./car-status-publisher.js";
import type { DurableDelivery } from "./delivery.js";
import { uploadPayload } from "./outbound-payloads.js";
import type { Topics } from "./topics.js";

/**
 * The offload's news on the car's broker: every verified upload is announced on `R/upload` (QoS 1, not
 * retained, through the durable outbox like alerts), so the station ingests it at once; the offload
 * queue goes into `R/status` as `backlog`. Returns the unsubscribers.
 */
export function announceOffload(
  bus: EventBus,
  topics: Topics,
  status: CarStatusPublisher,
  delivery: DurableDelivery,
): (() => void)[] {
  return [
    bus.on("event-uploaded", (e) => delivery.send(topics.upload, JSON.stringify(uploadPayload(e)), false)),
    bus.on("offload-backlog", (b) => status.offloadBacklog(b)),
  ];
}
