import { describe, expect, it } from "vitest";
import { CI_SEEDS, ciSeed } from "../../soak/ci-seeds.mjs";

const DAY = 86_400_000;

describe("the CI soak's seed", () => {
  it("comes from the committed list and rotates by UTC day", () => {
    const seeds = Array.from({ length: CI_SEEDS.length }, (_, i) => ciSeed({}, (20_000 + i) * DAY).seed);
    expect(new Set(seeds)).toEqual(new Set(CI_SEEDS));
    expect(ciSeed({}, 20_000 * DAY + 5)).toEqual(ciSeed({}, 20_000 * DAY + DAY - 1));
    expect(ciSeed({}, 20_000 * DAY).source).toBe("UTC day 2024-10-04");
  });

  it("follows the CI's run number when there is one, and SOAK_SEED when given", () => {
    expect(ciSeed({ GITHUB_RUN_NUMBER: "8" }, 0)).toEqual({
      seed: CI_SEEDS[8 % CI_SEEDS.length],
      source: "GITHUB_RUN_NUMBER=8",
    });
    expect(ciSeed({ GITHUB_RUN_NUMBER: "8", SOAK_SEED: "123" }, 0)).toEqual({
      seed: 123,
      source: "SOAK_SEED",
    });
  });
});
