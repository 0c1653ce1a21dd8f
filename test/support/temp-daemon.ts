import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/logger.js";
import { Daemon } from "../../src/daemon/daemon.js";

/**
 * A real daemon (in-process) on `config` with a fresh temp data dir. `cleanups` gets its stop and the
 * dir's removal; `stop` may be called early (it runs once).
 */
export async function startTempDaemon(
  config: Record<string, unknown>,
  cleanups: (() => Promise<void> | void)[],
) {
  const dir = mkdtempSync(join(tmpdir(), "camsync-daemon-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const r = validateConfig({ ...config, dataDir: dir });
  if (!r.ok) throw new Error(r.problems.join("\n"));
  const daemon = new Daemon({
    config: r.config,
    logger: silentLogger(),
    clock: systemClock,
    mode: "run",
    env: {},
  });
  await daemon.start();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= daemon.stop();
    return stopped;
  };
  cleanups.push(stop);
  /** A component's status (`daemon.status().components[name]`). */
  const component = (name: string) =>
    (daemon.status().components as Record<string, Record<string, unknown>>)[name];
  return { daemon, dir, stop, component };
}
