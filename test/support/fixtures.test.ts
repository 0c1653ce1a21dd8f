import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixturePresent, sharedFixtures } from "./fixtures.js";

describe("fixturePresent", () => {
  const missing = join(sharedFixtures, "no-such-fixture.bin");

  it("lets a developer's machine without the fixtures skip", () => {
    expect(fixturePresent(missing, {})).toBe(false);
  });

  it("fails when CI is set and a fixture is missing", () => {
    expect(() => fixturePresent(missing, { CI: "true" })).toThrow(/missing and CI is set/);
  });

  it("finds a file that is there", () => {
    expect(fixturePresent(import.meta.filename, { CI: "true" })).toBe(true);
  });
});
