import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ActivationPayload } from "../../src/bodycam/payloads.js";
import type { ReferenceBodycam } from "../../src/bodycam/reference-bodycam.js";
import { readSnapshot } from "../../src/core/activation-service.js";
import { CliProcess, runCli } from "../support/cli.js";
import { type BrokerFixture, mosquittoFixture, startCams, waitFor } from "./harness.js";

const hasMosquitto = spawnSync("mosquitto", ["-h"]).error === undefined;

/** The real daemon process (`camsync run`), killed with SIGKILL mid-event, on the shipped Mosquitto setup. */
describe.skipIf(!hasMosquitto)("camsync run killed mid-event (SIGKILL) and restarted", () => {
  let broker: BrokerFixture;
  let dir: string;
  const procs: CliProcess[] = [];
  const cams: ReferenceBodycam[] = [];

  beforeAll(async () => {
    broker = await mosquittoFixture();
  });
  afterAll(async () => {
    await broker?.close();
  });
  afterEach(async () => {
    for (const c of cams.splice(0)) await c.stop();
    for (const p of procs.splice(0)) await p.stop("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("delivers the activation decided while the broker was down, after the restart", async () => {
    dir = mkdtempSync(join(tmpdir(), "camsync-kill-"));
    const mqtt = broker.daemonMqtt();
    const config = join(dir, "camsync.yaml");
    writeFileSync(
      config,
      [
        "vehicle:",
        "  id: killcar",
        `dataDir: ${join(dir, "data")}`,
        "activation:",
        "  postRollSeconds: 0",
        "mqtt:",
        `  url: ${mqtt.url}`,
        `  caFile: ${mqtt.caFile}`,
        `  certFile: ${mqtt.certFile}`,
        `  keyFile: ${mqtt.keyFile}`,
        "  reconnectMinMs: 50",
        "  reconnectMaxMs: 200",
        "bodycams:",
        "  paired: [{ id: bc1 }]",
        "control:",
        "  statusPage: { enabled: false }",
        "",
      ].join("\n"),
    );
    const startDaemon = async () => {
      const p = new CliProcess(["run", "--config", config]);
      procs.push(p);
      await p.waitFor((l) => l.msg === "camsync ready", 20_000, "camsync ready");
      await p.waitFor((l) => l.msg === "MQTT broker connected", 10_000, "broker connected");
      return p;
    };
    const first = await startDaemon();
    const [cam] = (await startCams(broker, "killcar", ["bc1"])) as [ReferenceBodycam];
    cams.push(cam);
    const seen: ActivationPayload[] = [];
    cam.on("activation", (a) => seen.push(a));

    let eventId = "";
    let startSeq = -1;
    await broker.restart(async () => {
      await first.waitFor((l) => /connection lost/.test(String(l.msg)), 10_000, "outage noticed");
      const r = runCli(["trigger", "start", "--config", config, "--reason", "officer pressed start"]);
      expect(r.code, r.stderr).toBe(0);
      const state = readSnapshot(join(dir, "data/state/activation.jsonl")).snapshot as {
        event: { id: string } | null;
        seq: number;
      };
      eventId = state.event?.id ?? "";
      startSeq = state.seq; // the event-start decision's seq
      expect(eventId).not.toBe("");
      const outbox = readFileSync(join(dir, "data/mqtt/outbox.jsonl"), "utf8");
      expect(outbox).toContain(eventId);
      expect(await first.stop("SIGKILL")).toBeNull(); // killed: exit code null, signal SIGKILL
    });
    expect(seen.some((a) => a.eventId === eventId)).toBe(false);

    const second = await startDaemon();
    await waitFor("the cam records the event", () => cam.recording && cam.eventId === eventId, 10_000);
    // The restarted daemon announces the resumed event (seq + 1); the killed one's own event-start
    // activation (startSeq) can only come from its outbox.
    await waitFor("the resume activation", () => seen.some((a) => a.eventId === eventId && a.seq > startSeq));
    const start = seen.find((a) => a.eventId === eventId && a.seq === startSeq);
    expect(start, "the killed daemon's event-start activation was replayed from its outbox").toMatchObject({
      active: true,
      origin: { kind: "cli" },
      reason: expect.stringContaining("officer pressed start"),
    });
    await second.waitFor(
      (l) => l.msg === "body cam confirmed the activation" && l.eventId === eventId,
      10_000,
      "confirmation",
    );
  });
});
