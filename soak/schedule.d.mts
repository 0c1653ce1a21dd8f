// Types for schedule.mjs.
export const FAULT_KINDS: string[];
export const STARTUP_MISTAKES: string[];
export const STIMULUS_WEIGHTS: Record<string, number>;
export function planSchedule(o: {
  seed: number;
  durationMs: number;
  warmupMs?: number;
  cooldownMs?: number;
  meanStimulusGapMs?: number;
  faultsPerMinute?: number;
  bodycams: string[];
}): { at: number; action: string; arg?: unknown }[];
