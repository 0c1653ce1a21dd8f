import { LatencyWindow } from "../core/latency-window.js";
import type { CarLatency } from "./car-status-publisher.js";

/**
 * The car's own trigger → body-cam latencies, over its most recent activations: from a trigger reaching
 * the activation engine to the activation on the MQTT socket, and from that publish to each body cam's
 * status confirming it records the event. Shown in `camsync status` and published in `R/status`.
 */
export class ActivationLatency {
  private readonly triggerToPublish = new LatencyWindow();
  private readonly publishToConfirmation = new LatencyWindow();

  /** An activation went out; `inputMono` is when its trigger reached the engine (monotonic ms). */
  published(inputMono: number, nowMono: number): void {
    this.triggerToPublish.record(nowMono - inputMono);
  }

  /** A body cam confirmed, `latencyMs` after the publish. */
  confirmed(latencyMs: number): void {
    this.publishToConfirmation.record(latencyMs);
  }

  summary(): CarLatency {
    return {
      triggerToPublishMs: this.triggerToPublish.summary(),
      publishToConfirmationMs: this.publishToConfirmation.summary(),
    };
  }
}
