import { backoffDelay } from "../core/backoff.js";
import type { RecorderConfig } from "./config.js";

/**
 * ffmpeg supervision policy: when to restart, how long to back off, when the camera counts as down,
 * when a run has stalled. Pure (table-tested with fake time).
 *
 * The recorder never gives up on a camera: after `crashLoopLimit` failures inside the window the camera
 * is reported down (critical alert) and restarts continue every `backoffMaxMs`.
 */

export interface SupervisionPolicy {
  segmentSeconds: number;
  stallSegments: number;
  startupTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  crashLoopLimit: number;
  crashLoopWindowMs: number;
}

/** The policy from the recorder's config section. */
export function supervisionPolicy(
  config: Pick<RecorderConfig, "segmentSeconds" | "supervision">,
): SupervisionPolicy {
  const { supervision, segmentSeconds } = config;
  return {
    segmentSeconds,
    stallSegments: supervision.stallSegments,
    startupTimeoutMs: supervision.startupTimeoutSeconds * 1000,
    backoffInitialMs: supervision.backoffInitialMs,
    backoffMaxMs: supervision.backoffMaxMs,
    crashLoopLimit: supervision.crashLoopLimit,
    crashLoopWindowMs: supervision.crashLoopWindowSeconds * 1000,
  };
}

export interface RestartPlan {
  delayMs: number;
  /** Failures inside the window, this one included. */
  failures: number;
  crashLoop: boolean;
}

/** Failure times (monotonic ms) still inside the window at `now`. */
export function recentFailures(
  failures: readonly number[],
  now: number,
  policy: SupervisionPolicy,
): number[] {
  return failures.filter((t) => now - t < policy.crashLoopWindowMs);
}

/** Plan the restart after a failure at `now`; `failures` already includes it. */
export function planRestart(
  failures: readonly number[],
  now: number,
  policy: SupervisionPolicy,
): RestartPlan {
  const n = Math.max(1, recentFailures(failures, now, policy).length);
  const crashLoop = n >= policy.crashLoopLimit;
  const backoff = { initialMs: policy.backoffInitialMs, maxMs: policy.backoffMaxMs };
  return {
    delayMs: crashLoop ? policy.backoffMaxMs : backoffDelay(n - 1, backoff),
    failures: n,
    crashLoop,
  };
}

/**
 * When the current run counts as stalled: no segment within `stallSegments` segment lengths of the last
 * one, or (before its first segment) within the startup timeout.
 */
export function stallDeadline(
  runStartedAt: number,
  lastSegmentAt: number | null,
  policy: SupervisionPolicy,
): number {
  if (lastSegmentAt === null) return runStartedAt + policy.startupTimeoutMs;
  return lastSegmentAt + policy.stallSegments * policy.segmentSeconds * 1000;
}

export type CameraState = "starting" | "ok" | "degraded" | "down";
