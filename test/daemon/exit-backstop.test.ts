import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";

/** A Node process that "stopped" but still holds the loop open with a timer, as a leaky library would. */
function leaky(graceMs: number) {
  const mod = join(repoRoot, "dist/daemon/exit-backstop.js");
  const script = `import { exitAfterStop } from ${JSON.stringify(mod)};
setInterval(() => {}, 1000);
exitAfterStop(3, undefined, ${graceMs});`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, exited, stderr: () => stderr };
}

describe("exit after stop", () => {
  it("a process still held open after stop exits with its code once the grace has passed, naming what held it", async () => {
    const p = leaky(300);
    const code = await Promise.race([
      p.exited,
      new Promise((r) => setTimeout(() => r("still running"), 5000)),
    ]);
    if (code === "still running") p.child.kill("SIGKILL");
    expect(code).toBe(3);
    expect(p.stderr()).toMatch(/still running 300 ms after stop \(.*Timeout.*\): exiting/);
  });
});
