import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DaemonHarness, exitWithin, isReady } from "./daemon-harness.js";

const h = new DaemonHarness();
afterEach(() => h.cleanup());

/** Occupy a free loopback port, as another service would. */
async function takePort(): Promise<{ port: number; server: Server; free: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const free = () => new Promise<void>((r) => server.close(() => r()));
  h.onCleanup(() => (server.listening ? free() : undefined));
  return { port, server, free };
}

const msg = (re: RegExp) => (l: Record<string, unknown>) => re.test(String(l.msg));

describe("a port busy at start", () => {
  it("the status page is retried with backoff and comes up once the port is free; SIGTERM → exit within 5 s", async () => {
    const taken = await takePort();
    const { config } = h.config(
      `control:\n  statusPage:\n    enabled: true\n    host: 127.0.0.1\n    port: ${taken.port}\n`,
      { camera: false },
    );
    const d = h.start(config);
    const failed = await d.waitFor(
      msg(/component status-page failed to start/),
      20_000,
      "status-page failure",
    );
    expect(String(failed.msg)).toMatch(/retrying in/);
    await d.waitFor(isReady, 20_000, "ready");
    const alert = await d.waitFor((l) => (l.alert as { code?: string })?.code === "component-failed");
    expect(alert.alert).toMatchObject({ severity: "critical", device: "status-page" });

    await taken.free();
    await d.waitFor(msg(/component status-page started after a retry/), 20_000, "status page retried");
    const res = await fetch(`http://127.0.0.1:${taken.port}/api/status`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ vehicle: { id: "unit12" } });

    d.child.kill("SIGTERM");
    expect(await exitWithin(d, 5000)).toBe(0);
  });

  it("the embedded broker's port taken: the daemon still stops and exits within 5 s (no aedes timers left)", async () => {
    const taken = await takePort();
    const { config } = h.config(
      `mqtt:\n  protocolVersion: 4\n  embeddedBroker:\n    enabled: true\n    host: 127.0.0.1\n    port: ${taken.port}\ncontrol:\n  statusPage:\n    enabled: false\n`,
      { camera: false },
    );
    const d = h.start(config);
    await d.waitFor(msg(/component bodycam-sync failed to start/), 20_000, "broker failure");
    await d.waitFor(isReady, 20_000, "ready");
    d.child.kill("SIGTERM");
    expect(await exitWithin(d, 5000)).toBe(0);
    // it drained on its own: the exit backstop did not have to cut anything off
    expect(d.lines.some(msg(/after stop/))).toBe(false);
  });

  it("the embedded broker comes up on a retry once its port is free", async () => {
    const taken = await takePort();
    const { config } = h.config(
      `mqtt:\n  protocolVersion: 4\n  embeddedBroker:\n    enabled: true\n    host: 127.0.0.1\n    port: ${taken.port}\ncontrol:\n  statusPage:\n    enabled: false\n`,
      { camera: false },
    );
    const d = h.start(config);
    await d.waitFor(msg(/component bodycam-sync failed to start/), 20_000, "broker failure");
    await taken.free();
    const up = await d.waitFor(msg(/embedded MQTT broker listening/), 20_000, "broker listening");
    expect(up.port).toBe(taken.port);
    await d.waitFor(msg(/component bodycam-sync started after a retry/), 20_000);
    d.child.kill("SIGTERM");
    expect(await exitWithin(d, 5000)).toBe(0);
  });
});
