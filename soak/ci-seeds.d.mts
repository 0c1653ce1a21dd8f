// Types for ci-seeds.mjs.
export const CI_SEEDS: number[];
export function ciSeed(
  env: Record<string, string | undefined>,
  nowMs: number,
): { seed: number; source: string };
