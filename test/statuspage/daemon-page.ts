import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/core/clock.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { silentLogger } from "../../src/daemon/logger.js";

/**
 * A real daemon in a temp data dir with its own status page on a free loopback port. `cleanups` gets
 * its stop and the dir's removal; `stop` may also be called early (it runs once).
 */
export async function daemonWithPage(vehicleId: string, cleanups: (() => Promise<void> | void)[]) {
  const dir = mkdtempSync(join(tmpdir(), "camsync-page-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const r = validateConfig({
    vehicle: { id: vehicleId },
    dataDir: dir,
    control: { statusPage: { port: 0 } },
  });
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
  const page = (daemon.status().components as Record<string, { url?: string }>)["status-page"];
  return { daemon, url: page?.url ?? "", dir, stop, launchFile: join(dir, "status-page.url") };
}
