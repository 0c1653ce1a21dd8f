import type { HealthRollup } from "../core/health.js";
import type { StoragePressure } from "./ring.js";
import type { CameraState } from "./supervision.js";

/** One dash camera's capture, as `camsync status` and the status page show it. */
export interface CameraStatus {
  state: CameraState;
  /** Segments in its ring. */
  segments: number;
  lastSegmentAgeSeconds: number | null;
  restarts: number;
  /** The ffmpeg process, null between restarts. */
  pid: number | null;
}

/** The ring's free-space bookkeeping. */
export interface RingStatus {
  freeBytes: number | null;
  reserveBytes: number;
  pressure: StoragePressure;
}

/** The dash recorder's status (`components.recorder`). */
export interface RecorderStatus {
  /** Rolled up over the cameras (a starting camera counts as degraded); "unknown" without cameras. */
  recorder: HealthRollup;
  cameras: Record<string, CameraStatus & { bitrateKbps: number | null }>;
  openEvents: string[];
  storage: RingStatus;
}
