// Types for invariants.mjs (the soak is plain ESM; the tests in test/soak/ are TypeScript).
import type { Origin } from "../src/core/trigger.js";
import type { EventManifest } from "../src/evidence/manifest.js";

export interface Timed {
  at: number;
}
export interface Action extends Timed {
  origin: Origin;
  action: string;
}
export interface Fault extends Timed {
  kind: string;
  until: number;
  [k: string]: unknown;
}
export interface DecisionRecord extends Timed {
  run?: number;
  type: string;
  eventId: string | null;
  origin: Origin | null;
  reason: string;
}
export interface Journal {
  vehicleId: string;
  paired: string[];
  injections: Action[];
  authorisedStarts: Action[];
  stops: Action[];
  faults: Fault[];
  fills: { at: number; until: number; alertSeen: boolean; ringAdvanced: boolean }[];
  decisions: DecisionRecord[];
  daemonRuns: { n: number; startedAt: number; readyAt: number | null; endedAt: number | null }[];
  unexpectedExits: { run: number; at: number; code: number | null; signal: string | null }[];
  events: { eventId: string; dir: string; manifest: EventManifest | null; error?: string }[];
  verify: { code: number | null; stdout: string; stderr: string };
  alerts: { at: number; code: string; device?: string; eventId?: string }[];
  activations: { at: number; topic: string; payload: { eventId?: string; active?: boolean } | null }[];
  bodycamActivations: { at: number; id: string; payload: { eventId: string; active: boolean } }[];
  bodycamRecordings: { at: number; id: string; recording: boolean; eventId: string | null }[];
  /** Body cams' own activation messages as the witness saw them on the broker (optional). */
  bodycamMessages?: { at: number; id: string; active: boolean | null }[];
  intruderAttempts: { at: number; kind: string; outcome: string }[];
  footage: {
    seen: Record<string, { bytes: number; firstSeen: number; final: boolean }>;
    atEnd: Record<string, { bytes: number }>;
  };
  resources: { at: number; run: number; rssKiB: number; fds: number }[];
  orphans: { pid: number; ppid: number }[];
  finalRetainedActivation: { eventId?: string; active?: boolean } | null;
  /** SIGTERM → exit of the final stop (ms). */
  finalStopMs?: number | null;
}
export interface InvariantResult {
  name: string;
  ok: boolean;
  checked: number;
  failed: number;
  failures: string[];
  [detail: string]: unknown;
}
export const START_DECISIONS: string[];
export function deadlineFor(at: number, faults: Fault[], baseMs?: number, afterFaultMs?: number): number;
export function everyTriggerProducedAnEvent(j: Journal): InvariantResult;
export function everyEventVerifies(j: Journal): InvariantResult;
export function everyGapExplained(
  j: Journal,
  opts?: { toleranceSeconds?: number; slackBeforeMs?: number; slackAfterMs?: number },
): InvariantResult;
export function everyCamConfirmedOrAlerted(j: Journal): InvariantResult;
export function noActivationLost(j: Journal): InvariantResult;
export function noUnauthorisedEffect(j: Journal, lookbackMs?: number): InvariantResult;
export function noFootageDeleted(j: Journal): InvariantResult;
export function resourcesFlat(
  j: Journal,
  opts?: { warmupMs?: number; minSpanMs?: number; maxRssGrowthMiB?: number; maxFdGrowth?: number },
): InvariantResult;
export function daemonSurvivedAndDiskHandled(j: Journal): InvariantResult;
export function operatorMistakesHandled(
  j: Journal,
  opts?: { stopLimitMs?: number; upLimitMs?: number },
): InvariantResult;
export function checkAll(
  j: Journal,
  opts?: { resources?: Parameters<typeof resourcesFlat>[1] },
): InvariantResult[];
