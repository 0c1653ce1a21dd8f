import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";

/** What `npm pack` would publish: the built daemon, config, systemd units and docs, never test code. */
function packedFiles(): string[] {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  return (out[0]?.files ?? []).map((f) => f.path);
}

describe("npm pack", () => {
  it("ships the built CLI and no test, fake or test support file", () => {
    const files = packedFiles();
    expect(files).toContain("dist/cli/main.js");
    expect(files).toContain("dist/app/camsync.mjs");
    expect(files.length).toBeGreaterThan(50);
    const testCode = files.filter(
      (f) => /\.test\.(js|ts|mjs)(\.map)?$/.test(f) || /(^|\/)(test|support)\//.test(f) || /fake/i.test(f),
    );
    expect(testCode).toEqual([]);
  });
});
