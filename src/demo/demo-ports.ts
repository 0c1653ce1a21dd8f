import { createServer } from "node:net";

/** Whether something could listen on host:port right now (port 0 always can). */
export function portFree(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * The port the demo uses: the one asked for on the command line (strictly), else the config's when it is
 * free, else any free port — on a fresh machine Debian's own Mosquitto service often holds 1883.
 */
export async function demoPort(
  what: string,
  host: string,
  fromCli: number | undefined,
  fromConfig: number,
  notice: (text: string) => void,
): Promise<number> {
  if (fromCli !== undefined) return fromCli;
  if (await portFree(host, fromConfig)) return fromConfig;
  notice(`camsync demo: ${what} port ${fromConfig} is in use on ${host}; using a free port instead`);
  return 0;
}

/** The demo station's web UI port when free (8080 is the status page's). */
export const DEMO_STATION_PORT = 8090;
