import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../src/config/schema.js";
import { repoRoot, runCli } from "../support/cli.js";

describe("camsync config check", () => {
  it("accepts the shipped example and demo configs (exit 0)", () => {
    // The demo's files ship with it; the example names a car's certificates, so it is checked alone here.
    for (const args of [["--no-files", "config/camsync.example.yaml"], ["config/demo.yaml"]]) {
      const r = runCli(["config", "check", ...args]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/: ok$/m);
    }
  });

  it("reports every mistake of a broken file by path and exits 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "camsync-cfg-"));
    const file = join(dir, "broken.yaml");
    writeFileSync(
      file,
      [
        "vehicle:",
        '  id: "unit 12!"',
        "dataDir: 5",
        "activation:",
        "  preEventSeconds: 500",
        "  postRollSeconds: -1",
        "  stopOn: never",
        "  bogus: 1",
        "surprise: true",
      ].join("\n"),
    );
    const r = runCli(["config", "check", file]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split("\n").map((l) => l.trim());
    expect(lines).toContain("vehicle.id: expected 1-32 letters, digits, '-' or '_'");
    expect(lines).toContain("dataDir: expected string, got 5");
    expect(lines).toContain("activation.preEventSeconds: expected a number <= 120, got 500");
    expect(lines).toContain("activation.postRollSeconds: expected a number >= 0, got -1");
    expect(lines).toContain('activation.stopOn: expected one of "manual", "triggers-clear", got "never"');
    expect(lines).toContain("activation.bogus: unknown key");
    expect(lines).toContain("surprise: unknown key");
    expect(r.stderr).toMatch(/7 problems/);
  });

  it("reports YAML syntax errors with their line, and a missing file, with exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "camsync-cfg-"));
    const file = join(dir, "syntax.yaml");
    writeFileSync(file, "vehicle:\n  id: unit12\n  id: again\nactivation: [\n");
    const r = runCli(["config", "check", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line \d+, column \d+/);
    const missing = runCli(["config", "check", join(dir, "nope.yaml")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  });

  it("usage errors exit 2", () => {
    expect(runCli(["config"]).code).toBe(2);
    expect(runCli(["config", "frobnicate"]).code).toBe(2);
    expect(runCli(["no-such-command"]).code).toBe(2);
  });

  it("config/camsync.schema.json is generated from the schema and up to date (npm run schema)", () => {
    const onDisk = JSON.parse(readFileSync(join(repoRoot, "config/camsync.schema.json"), "utf8"));
    expect(onDisk).toEqual(configJsonSchema());
  });
});
