import type { CanFrame } from "./can-frame.js";

/**
 * Anything that delivers CAN frames: an SLCAN adapter on a serial line, SocketCAN through `candump -L`,
 * or a candump log replayed. Frames arrive in batches (one read can hold many) to keep the hot path cheap.
 */
export interface CanSource {
  readonly name: string;
  /** Register the consumer before start(). */
  onFrames(listener: (frames: CanFrame[]) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): Record<string, unknown>;
}
