import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The shared real-world fixtures (`../shared/fixtures`), resolved from the repository root; never copied in. */
export const sharedFixtures = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/fixtures");

/**
 * Whether a shared fixture is there. On a developer's machine without them the fixture tests skip
 * visibly; when `CI` is set a missing fixture is an error instead, so CI never passes by skipping them.
 */
export function fixturePresent(path: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (existsSync(path)) return true;
  if (env.CI) {
    throw new Error(`fixture ${path} is missing and CI is set: fixture tests may not be skipped in CI`);
  }
  return false;
}
