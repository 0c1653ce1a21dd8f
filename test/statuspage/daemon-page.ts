import { join } from "node:path";
import { startTempDaemon } from "../support/temp-daemon.js";

/** A real daemon in a temp data dir with its own status page on a free loopback port. */
export async function daemonWithPage(vehicleId: string, cleanups: (() => Promise<void> | void)[]) {
  const d = await startTempDaemon(
    { vehicle: { id: vehicleId }, control: { statusPage: { port: 0 } } },
    cleanups,
  );
  const url = d.component("status-page")?.url;
  return { ...d, url: typeof url === "string" ? url : "", launchFile: join(d.dir, "status-page.url") };
}
