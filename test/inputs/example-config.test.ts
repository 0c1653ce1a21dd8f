import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile, parseConfigText } from "../../src/config/load.js";

const repoRoot = resolve(import.meta.dirname, "../..");

describe("shipped configs: inputs section", () => {
  it.each(["config/camsync.example.yaml", "config/demo.yaml"])("%s validates with its inputs", (file) => {
    const result = loadConfigFile(resolve(repoRoot, file));
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    const names = result.config.inputs.gpio.map((i) => `${i.name}:${i.role}`);
    expect(names.slice(0, 3)).toEqual(["lightbar:lightbar", "siren:siren", "button:button"]);
  });

  it("problems in the inputs section are reported by path", () => {
    const text = readFileSync(resolve(repoRoot, "config/camsync.example.yaml"), "utf8")
      .replace("      line: 22\n", "      line: 22\n      debounceMs: -5\n")
      .replace("    - name: button\n", "    - name: siren\n");
    const result = parseConfigText(text);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.filter((p) => p.startsWith("inputs."));
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "inputs.gpio[1].debounceMs",
      "inputs.gpio[2].name",
    ]);
    expect(problems[1]).toContain("duplicate name 'siren' (also inputs.gpio[1])");
  });
});
