import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../support/cli.js";
import { type BrokerFixture, DaemonUnderTest, embeddedFixture, waitFor } from "./harness.js";

describe("camsync bodycam (the reference body cam as a process)", () => {
  let broker: BrokerFixture;
  let dataDir: string;
  let daemon: DaemonUnderTest;
  const procs: CliProcess[] = [];

  beforeAll(async () => {
    broker = await embeddedFixture();
  });
  afterAll(async () => {
    await broker?.close();
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.stop("SIGKILL");
    await daemon?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("rejects bad usage with exit 2", () => {
    expect(runCli(["bodycam", "--url", "mqtt://127.0.0.1:1"]).code).toBe(2);
    expect(runCli(["bodycam", "--id", "a/b", "--url", "mqtt://127.0.0.1:1"]).code).toBe(2);
    expect(runCli(["bodycam", "--id", "bc1", "--url", "http://x"]).code).toBe(2);
    expect(runCli(["bodycam", "--id", "bc1", "--url", "mqtt://127.0.0.1:1", "--cert", "x"]).code).toBe(2);
  });

  it("finds the car, follows its activation, starts it with SIGUSR1, and goes offline cleanly", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "camsync-cli-"));
    daemon = await new DaemonUnderTest("clicar", dataDir, broker, { paired: ["bc1"] }).start();
    await waitFor("daemon connected", () => daemon.connected);
    const url = (broker.camOptions("bc1") as { url: string }).url;
    const cam = new CliProcess(["bodycam", "--id", "bc1", "--url", url, "--battery", "77"], {
      env: { CAMSYNC_BODYCAM_PASSWORD: "pw-bc1" },
    });
    procs.push(cam);
    await cam.waitFor((l) => l.event === "connected" && l.vehicleId === "clicar", 10_000, "connected");
    await waitFor("cam online at the car", () =>
      (daemon.sync.status().bodycams as { online: boolean; battery: number | null }[]).some(
        (c) => c.online && c.battery === 77,
      ),
    );
    // The officer presses record on the body cam: the car starts an event with origin bodycam.
    cam.child.kill("SIGUSR1");
    await waitFor("event started", () => daemon.eventId !== null);
    expect(daemon.decisions.find((d) => d.type === "event-start")).toMatchObject({
      origin: { kind: "bodycam", id: "bc1" },
    });
    const eventId = daemon.eventId;
    await cam.waitFor((l) => l.event === "recording" && l.eventId === eventId, 5000, "recording the event");
    await waitFor("confirmed", () =>
      daemon.confirmations.some((c) => c.bodycamId === "bc1" && c.latencyMs !== null),
    );
    // stdin "stop": the cam stops; the car keeps recording.
    cam.child.stdin?.write("stop\n");
    await cam.waitFor((l) => l.event === "recording" && l.recording === false, 5000, "stopped");
    expect(daemon.eventId).toBe(eventId);
    expect(await cam.stop("SIGTERM")).toBe(0);
    await waitFor("cam offline at the car", () =>
      (daemon.sync.status().bodycams as { online: boolean }[]).every((c) => !c.online),
    );
  });
});
