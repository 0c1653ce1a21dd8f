import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";

const unit = join(repoRoot, "systemd/camsync.service");
const haveAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;

describe("systemd unit", () => {
  it.skipIf(!haveAnalyze)("passes systemd-analyze verify (skipped: systemd-analyze not installed)", () => {
    const r = spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" });
    expect(r.stderr.trim()).toBe("");
    expect(r.status).toBe(0);
  });

  it("is Type=notify with a watchdog, always restarts, and runs as a dedicated user with device access", () => {
    const text = readFileSync(unit, "utf8");
    for (const line of [
      "Type=notify",
      "Restart=always",
      "User=camsync",
      "SupplementaryGroups=gpio dialout video",
      "KillSignal=SIGTERM",
    ]) {
      expect(text.split("\n")).toContain(line);
    }
    expect(text).toMatch(/^WatchdogSec=\d+$/m);
    expect(text).toMatch(/^DeviceAllow=char-gpiochip rw$/m);
  });
});
