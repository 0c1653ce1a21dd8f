// The Node.js flags the daemon runs with in production, read from the shipped systemd unit's ExecStart, so
// the benchmarks measure the daemon as it is deployed (memory and CPU both depend on these flags).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const unit = join(dirname(fileURLToPath(import.meta.url)), "..", "systemd", "camsync.service");

/** e.g. ["--max-semi-space-size=1", "--v8-pool-size=1"]: the options between `node` and the script. */
export function unitNodeFlags() {
  const line = readFileSync(unit, "utf8")
    .split("\n")
    .find((l) => l.startsWith("ExecStart="));
  if (!line) throw new Error(`${unit}: no ExecStart`);
  const words = line.slice("ExecStart=".length).trim().split(/\s+/);
  const script = words.findIndex((w) => w.endsWith(".js") || w.endsWith(".mjs"));
  return words.slice(1, script).filter((w) => w.startsWith("--"));
}
