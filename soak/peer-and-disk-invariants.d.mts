// Types for peer-and-disk-invariants.mjs.
import type { Fault, InvariantResult, Journal } from "./invariants.mjs";

export function fullDiskWindows(j: Journal): Fault[];
export function hijackRefused(
  j: Journal,
  opts?: { boundMs?: number; afterMs?: number; settleMs?: number },
): InvariantResult;
export function assemblyRecoveredFromFullDisk(
  j: Journal,
  opts?: { assembleWithinMs?: number },
): InvariantResult;
