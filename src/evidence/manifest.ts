import type { Origin } from "../core/trigger.js";

/**
 * `{dataDir}/events/{eventId}/manifest.json`: what an event contains and how to prove it unaltered.
 * Written atomically by the recorder when an event is assembled (and rewritten when it is amended
 * by offload results or tags; amendments also go to the audit log).
 */
export interface EventManifest {
  manifestVersion: 1;
  eventId: string;
  vehicle: { id: string; name?: string; agency?: string };
  officer: string | null;
  software: { name: "camsync"; version: string };
  /** UTC ISO-8601 with ms. */
  startedAt: string;
  endedAt: string | null;
  origin: Origin;
  /** Every decision and trigger that touched the event, in order. */
  timeline: TimelineEntry[];
  preEvent: { requestedSeconds: number; coveredSeconds: number; audio: "muted" | "kept" };
  postRollSeconds: number;
  cameras: CameraRecord[];
  bodycams: BodycamRecord[];
  gpsTrack: { at: string; lat: number; lon: number; speedKmh: number | null }[];
  /** Signal values used by trigger rules, at the times they changed during the event. */
  signals: { at: string; name: string; value: number | string | null }[];
  category?: string;
  /** The agency's case or incident number (tagging). */
  caseNumber?: string;
  notes?: string[];
  /** How the event came to be (absent = activation): `after-the-fact` = promoted from the ring by `camsync event create`. */
  source?: "activation" | "after-the-fact";
  /** Set when the event never reached its normal end (daemon stopped or power cut); says what happened. */
  interrupted?: string;
  /** Offloaded before other events (set by the recorder for e.g. crash triggers, or by tagging). */
  critical?: boolean;
  /** Upload state (filled in by offload). */
  offload?: {
    state: "pending" | "uploaded" | "verified" | "failed";
    bucket?: string;
    key?: string;
    verifiedAt?: string;
    method?: "checksum" | "read-back";
  };
}

export interface TimelineEntry {
  at: string;
  type: string;
  origin?: Origin | null;
  reason: string;
  seq?: number;
}

export interface SegmentRecord {
  file: string;
  /** Segment start on the camera's timeline, UTC ISO-8601 with ms. */
  startedAt: string;
  durationSeconds: number;
  sha256: string;
  bytes: number;
  /** Part of the pre-event buffer (recorded before the trigger). */
  preEvent?: boolean;
  /** `muted`: the audio was replaced with silence at claim time (pre-event audio policy). */
  audio?: "kept" | "muted";
  /** Which file (part) of the camera it went into. */
  part?: number;
}

export interface GapRecord {
  from: string;
  to: string;
  seconds: number;
  cause: string;
}

export interface CameraRecord {
  name: string;
  /** The assembled MP4 files (more than one when the event rolled over at maxEventMinutes). */
  files: { file: string; sha256: string; bytes: number; durationSeconds: number; part: number }[];
  segments: SegmentRecord[];
  gaps: GapRecord[];
  /** Seconds of this camera's footage before the trigger. */
  preEventCoveredSeconds?: number;
}

export interface BodycamRecord {
  id: string;
  commandedAt: string | null;
  confirmedAt: string | null;
  latencyMs: number | null;
  /** Whether this cam started the event or joined by its officer's own action. */
  initiated?: boolean;
  alerts: string[];
}
