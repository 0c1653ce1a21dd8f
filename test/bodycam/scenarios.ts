import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterEach, expect, it } from "vitest";
import type { ActivationPayload } from "../../src/bodycam/payloads.js";
import type { ReferenceBodycam } from "../../src/bodycam/reference-bodycam.js";
import { type BrokerFixture, DaemonUnderTest, sleep, startCams, waitFor } from "./harness.js";

let counter = 0;

/**
 * The protocol scenarios of issue 3, run against each broker (Mosquitto with the shipped TLS + ACL
 * config, and the embedded aedes broker with the same ACL).
 */
export function brokerScenarios(broker: () => BrokerFixture): void {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(
    camIds: string[],
    opts: { confirmTimeoutMs?: number; cam?: Parameters<typeof startCams>[3] } = {},
  ): Promise<{ daemon: DaemonUnderTest; cams: ReferenceBodycam[]; vehicleId: string; dataDir: string }> {
    const vehicleId = `v${process.pid}x${++counter}`;
    const dataDir = mkdtempSync(join(tmpdir(), "camsync-it-"));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const daemon = new DaemonUnderTest(vehicleId, dataDir, broker(), {
      confirmTimeoutMs: opts.confirmTimeoutMs,
    });
    cleanup.push(() => daemon.stop());
    await daemon.start();
    await waitFor("daemon connected", () => daemon.connected);
    const cams = await startCams(broker(), vehicleId, camIds, opts.cam);
    cleanup.push(async () => {
      await Promise.all(cams.map((c) => c.stop()));
    });
    await waitFor("cams online at the car", () =>
      camIds.every((id) =>
        (daemon.sync.status().bodycams as { id: string; online: boolean }[]).some(
          (c) => c.id === id && c.online,
        ),
      ),
    );
    return { daemon, cams, vehicleId, dataDir };
  }

  async function raw(identity: string): Promise<MqttClient> {
    const c = await broker().rawClient(identity);
    cleanup.push(async () => {
      await c.endAsync(true);
    });
    return c;
  }

  const activationsSeen = (cam: ReferenceBodycam): ActivationPayload[] => {
    const seen: ActivationPayload[] = [];
    cam.on("activation", (a) => seen.push(a));
    return seen;
  };

  it("car → cams: a car trigger starts every paired cam, each confirms with its latency", async () => {
    const { daemon, cams } = await setup(["bc1", "bc2", "bc3"]);
    daemon.lightsOn();
    const eventId = daemon.eventId;
    expect(eventId).not.toBeNull();
    await waitFor("all cams recording the event", () =>
      cams.every((c) => c.recording && c.eventId === eventId),
    );
    await waitFor("three confirmations", () => daemon.confirmations.length === 3);
    for (const c of daemon.confirmations) {
      expect(c.eventId).toBe(eventId);
      expect(c.latencyMs).toBeGreaterThanOrEqual(0);
      expect(c.latencyMs).toBeLessThan(3000);
    }
    expect(daemon.alerts.filter((a) => a.code === "bodycam-unconfirmed")).toEqual([]);
    // The officer ends the event in the car: the activation goes inactive and the cams stop.
    daemon.stopByHand();
    await waitFor("cams stopped", () => cams.every((c) => !c.recording));
  });

  it("cam → car → partner cams: a body cam's start starts the car and its partners; its stop stops neither", async () => {
    const { daemon, cams } = await setup(["bc1", "bc2", "bc3"]);
    const [bc1, bc2, bc3] = cams as [ReferenceBodycam, ReferenceBodycam, ReferenceBodycam];
    const seen = activationsSeen(bc2);
    bc1.pressStart();
    await waitFor("event started", () => daemon.eventId !== null);
    const eventId = daemon.eventId;
    await waitFor("partners recording", () => bc2.eventId === eventId && bc3.eventId === eventId);
    await waitFor("bc1 adopted the event id", () => bc1.eventId === eventId);
    expect(seen[0]?.origin).toEqual({ kind: "bodycam", id: "bc1" });
    await waitFor("three confirmations", () => daemon.confirmations.length === 3);
    bc1.pressStop();
    await waitFor("the trigger cleared", () =>
      daemon.triggers.some((t) => t.origin.id === "bc1" && !t.active),
    );
    await sleep(100);
    expect(daemon.eventId).toBe(eventId);
    expect(bc2.recording && bc3.recording).toBe(true);
  });

  it("a cam that does not confirm gets the activation again and raises bodycam-unconfirmed", async () => {
    const { daemon, cams } = await setup(["bc1"], { confirmTimeoutMs: 800 });
    const broken = (
      await startCams(broker(), daemon.vehicleId, ["bc2"], { ignoreActivations: true })
    )[0] as ReferenceBodycam;
    cleanup.push(() => broken.stop());
    await waitFor(
      "bc2 online",
      () => (daemon.sync.status().bodycams as { id: string; online: boolean }[])[1]?.online === true,
    );
    const seen = activationsSeen(broken);
    daemon.lightsOn();
    await waitFor(
      "unconfirmed alert",
      () => daemon.alerts.some((a) => a.code === "bodycam-unconfirmed" && a.device === "bc2"),
      5000,
    );
    await waitFor("activation re-sent", () => seen.length >= 2, 5000);
    expect(daemon.confirmations.find((c) => c.bodycamId === "bc1")?.latencyMs).not.toBeNull();
    expect(daemon.confirmations.find((c) => c.bodycamId === "bc2")).toMatchObject({ confirmedAt: null });
    expect(cams[0]?.recording).toBe(true);
    expect(daemon.alerts.filter((a) => a.code === "bodycam-unconfirmed" && a.device === "bc1")).toEqual([]);
  });

  it("a late joiner is caught up by the retained activation and counted when it confirms", async () => {
    const { daemon } = await setup(["bc1"]);
    daemon.lightsOn();
    const eventId = daemon.eventId;
    await waitFor("bc1 confirmed", () => daemon.confirmations.length === 1);
    const late = (await startCams(broker(), daemon.vehicleId, ["bc4"]))[0] as ReferenceBodycam;
    cleanup.push(() => late.stop());
    await waitFor("late joiner recording", () => late.recording && late.eventId === eventId);
    await waitFor("late joiner confirmed", () =>
      daemon.confirmations.some((c) => c.bodycamId === "bc4" && c.latencyMs !== null),
    );
  });

  it("duplicate (QoS 1) deliveries of a cam's start are idempotent", async () => {
    const { daemon } = await setup(["bc2"]);
    const bc1 = await raw("bc1");
    const payload = JSON.stringify({ v: 1, active: true, at: new Date().toISOString() });
    const topic = `camsync/v1/${daemon.vehicleId}/bodycam/bc1/activation`;
    await bc1.publishAsync(topic, payload, { qos: 1 });
    await bc1.publishAsync(topic, payload, { qos: 1, dup: true });
    await waitFor("event started", () => daemon.eventId !== null);
    await sleep(150);
    expect(daemon.triggers.filter((t) => t.origin.id === "bc1" && t.active)).toHaveLength(1);
    expect(daemon.decisions.filter((d) => d.type === "event-start")).toHaveLength(1);
  });

  it("the daemon ignores its own echoes", async () => {
    const { daemon } = await setup([]);
    daemon.lightsOn();
    await waitFor("echo received", () => (daemon.sync.status().received as { echoes: number }).echoes >= 1);
    await sleep(100);
    expect(daemon.alerts.filter((a) => a.code === "activation-foreign")).toEqual([]);
    expect(daemon.triggers).toHaveLength(1);
  });

  it("an unpaired device is ignored and alerted", async () => {
    const { daemon, cams } = await setup(["bc1"]);
    const bc9 = await raw("bc9");
    await bc9.publishAsync(
      `camsync/v1/${daemon.vehicleId}/bodycam/bc9/activation`,
      JSON.stringify({ v: 1, active: true, at: new Date().toISOString() }),
      { qos: 1 },
    );
    await waitFor("unpaired alert", () =>
      daemon.alerts.some((a) => a.code === "bodycam-unpaired" && a.device === "bc9"),
    );
    await sleep(100);
    expect(daemon.eventId).toBeNull();
    expect(daemon.triggers).toEqual([]);
    expect(cams[0]?.recording).toBe(false);
  });

  it("the broker refuses a cam writing into another cam's topic or onto the car's activation", async () => {
    const { daemon, cams } = await setup(["bc2"]);
    // The daemon subscribes to every cam's topics and to R/activation: it is the witness. (A second
    // client with the daemon's identity would take over its connection: one identity, one client id.)
    await sleep(100);
    const receivedBefore = { ...(daemon.sync.status().received as Record<string, number>) };
    const countBefore = receivedBefore.received ?? 0;
    const bc1 = await raw("bc1");
    bc1.on("error", () => {});
    const R = `camsync/v1/${daemon.vehicleId}`;
    const forged = {
      v: 1,
      eventId: "20261126T142233Z-forged-abcd",
      active: true,
      origin: { kind: "cli", id: "x" },
      reason: "forged",
      at: new Date().toISOString(),
      seq: 1,
    };
    const sent = (topic: string, payload: string, retain: boolean) =>
      new Promise<void>((resolve) => bc1.publish(topic, payload, { qos: 1, retain }, () => resolve()));
    const forgeries = Promise.all([
      sent(
        `${R}/bodycam/bc2/activation`,
        JSON.stringify({ v: 1, active: true, at: new Date().toISOString() }),
        false,
      ),
      sent(`${R}/bodycam/bc2/status`, JSON.stringify({ v: 1, online: false }), true),
      sent(`${R}/activation`, JSON.stringify(forged), true),
    ]);
    // Mosquitto acknowledges and drops them; aedes closes the connection.
    await Promise.race([forgeries, new Promise<void>((resolve) => bc1.once("close", () => resolve()))]);
    // Then a cam's own, allowed message: once the daemon has it, the forged ones had their chance.
    const bc3 = await raw("bc3");
    const at = new Date().toISOString();
    await bc3.publishAsync(
      `${R}/bodycam/bc3/status`,
      JSON.stringify({ v: 1, online: true, recording: false, eventId: null, at }),
      { qos: 1 },
    );
    await waitFor(
      "bc3's own message reached the daemon",
      () => (daemon.sync.status().received as Record<string, number>).received === countBefore + 1,
    );
    await sleep(200);
    expect(daemon.sync.status().received).toEqual({
      ...receivedBefore,
      received: countBefore + 1,
    });
    expect(daemon.triggers).toEqual([]);
    expect(daemon.eventId).toBeNull();
    expect(cams[0]?.recording).toBe(false);
    expect(
      (daemon.sync.status().bodycams as { id: string; online: boolean }[]).find((c) => c.id === "bc2")
        ?.online,
    ).toBe(true);
  });

  it("a cam presenting the daemon's client id neither disconnects the daemon nor takes its session", async () => {
    const { daemon, cams, vehicleId } = await setup(["bc2"]);
    const before = daemon.linkEvents.length;
    // The daemon's client id before the fix (camsync-{vehicle}) and after (its identity, "camsync").
    for (const clientId of [`camsync-${vehicleId}`, "camsync", `camsync-${vehicleId}`, "camsync"]) {
      const outcome = await broker()
        .rawClient("bc1", clientId)
        .then(async (c) => {
          // Mosquitto (use_username_as_clientid) admits it under its own identity's id, "bc1".
          await c.endAsync(true);
          return "admitted";
        })
        .catch((err: Error) => `refused: ${err.message}`);
      if (broker().kind === "embedded") expect(outcome).toMatch(/refused: .*Identifier rejected/i);
      await sleep(50);
    }
    await sleep(300);
    expect(daemon.linkEvents.slice(before), "the daemon's link neither dropped nor reconnected").toEqual([]);
    expect(daemon.connected).toBe(true);
    // Its session and subscriptions are intact: a cam's start still starts the car.
    (cams[0] as ReferenceBodycam).pressStart();
    await waitFor("event started by bc2", () => daemon.eventId !== null);
  });

  it("malformed payloads are dropped and counted; the daemon keeps running and recording", async () => {
    const { daemon, cams } = await setup(["bc2"]);
    const bc1 = await raw("bc1");
    const R = `camsync/v1/${daemon.vehicleId}/bodycam/bc1`;
    const at = new Date().toISOString();
    const bad: [string, string | Buffer][] = [
      ["activation", randomBytes(512)],
      ["activation", JSON.stringify({ v: 1, active: "yes", at })],
      ["status", JSON.stringify({ v: 1, online: true, recording: 1, eventId: null, at })],
      ["activation", JSON.stringify({ v: 1, active: true, at, pad: "x".repeat(30_000) })],
      ["activation", `{"v":1,"active":true,"at":"${at}","x":${"[".repeat(2000)}${"]".repeat(2000)}}`],
      ["activation", JSON.stringify({ v: 2, active: true, at })],
      ["status", JSON.stringify({ v: 1, online: true, recording: false, eventId: null, at: "not a time" })],
    ];
    for (const [leaf, payload] of bad) await bc1.publishAsync(`${R}/${leaf}`, payload, { qos: 1 });
    await waitFor("all dropped", () => {
      const d = daemon.sync.status().droppedPayloads as Record<string, number>;
      return Object.values(d).reduce((a, b) => a + b, 0) === bad.length;
    });
    expect(daemon.sync.status().droppedPayloads).toEqual({
      "not-json": 1,
      invalid: 3,
      "too-large": 1,
      "too-deep": 1,
      "unsupported-version": 1,
    });
    expect(daemon.triggers).toEqual([]);
    // Unknown (vendor) fields are fine, and the car still records and commands its cams.
    await bc1.publishAsync(
      `${R}/activation`,
      JSON.stringify({ v: 1, active: true, at, vendor: { fw: "2.1" } }),
      { qos: 1 },
    );
    await waitFor("event started by bc1", () => daemon.eventId !== null);
    await waitFor("bc2 recording", () => cams[0]?.recording === true);
  });

  it("broker restarted mid-event: no activation is lost, retained state is restored", async () => {
    const { daemon, cams } = await setup(["bc1", "bc2"]);
    daemon.lightsOn();
    const eventId = daemon.eventId;
    await waitFor("cams recording", () => cams.every((c) => c.eventId === eventId));
    const seen = activationsSeen(cams[0] as ReferenceBodycam);
    let joinSeq = -1;
    await broker().restart(async () => {
      await waitFor("daemon saw the outage", () => !daemon.connected);
      // While the broker is down a CAN trigger joins the event and the officer ends it: both
      // activations wait in the outbox.
      daemon.bus.emit("trigger", {
        origin: { kind: "can", id: "speed" },
        active: true,
        at: Date.now(),
        reason: "speed > 120",
      });
      joinSeq = daemon.decisions.find((d) => d.type === "event-join")?.seq ?? -1;
      daemon.stopByHand();
      await waitFor("event ended", () => daemon.eventId === null);
      expect((daemon.sync.status() as { outboxPending: number }).outboxPending).toBeGreaterThanOrEqual(2);
    });
    await waitFor("cams got the end of the event", () => cams.every((c) => !c.recording), 10_000);
    if (broker().kind === "mosquitto") {
      // The cams' persistent sessions survived the restart, so the broker queued every activation for
      // them, including the join decided during the outage. (The embedded broker keeps nothing across
      // a restart: its cams get the retained latest state, checked below.)
      expect(
        seen.find((a) => a.seq === joinSeq),
        "the join decided during the outage",
      ).toMatchObject({
        eventId,
        active: true,
        origin: { kind: "can", id: "speed" },
      });
    }
    await waitFor(
      "outbox drained",
      () => (daemon.sync.status() as { outboxPending: number }).outboxPending === 0,
    );
    // Retained state on the broker is the car's current one.
    const probe = await raw("bc4");
    const retained = new Promise<ActivationPayload>((resolve) =>
      probe.on("message", (_t, p) => resolve(JSON.parse(p.toString()) as ActivationPayload)),
    );
    await probe.subscribeAsync(`camsync/v1/${daemon.vehicleId}/activation`, { qos: 1 });
    expect(await retained).toMatchObject({ eventId, active: false });
    // And the next event goes through.
    daemon.lightsOff();
    daemon.lightsOn();
    const next = daemon.eventId;
    await waitFor("cams recording the next event", () =>
      cams.every((c) => c.recording && c.eventId === next),
    );
  });

  it("a restart's outbox replay raises no false alert (its own replayed activations are not foreign)", async () => {
    const { daemon, cams, vehicleId, dataDir } = await setup(["bc1"]);
    let eventId: string | null = null;
    await broker().restart(async () => {
      await waitFor("daemon saw the outage", () => !daemon.connected);
      // A whole event decided while the broker is down: its start and end wait in the outbox…
      daemon.lightsOn();
      eventId = daemon.eventId;
      daemon.stopByHand();
      await waitFor("event ended", () => daemon.eventId === null);
      await daemon.kill(); // …and the daemon dies before delivering them.
    });
    const restarted = new DaemonUnderTest(vehicleId, dataDir, broker());
    cleanup.push(() => restarted.stop());
    await restarted.start();
    await waitFor(
      "outbox replayed",
      () => (restarted.sync.status() as { outboxPending: number }).outboxPending === 0,
      10_000,
    );
    const seen = activationsSeen(cams[0] as ReferenceBodycam);
    await waitFor(
      "the replayed end reached the cam",
      () => (cams[0] as ReferenceBodycam).recording === false,
    );
    // Their echoes come back to the restarted daemon (on the subscription it already has).
    await sleep(500);
    expect(seen.every((a) => a.eventId === eventId)).toBe(true);
    expect(restarted.alerts.map((a) => `${a.code}: ${a.message}`)).toEqual([]);
    expect((restarted.sync.status().received as { foreign: number }).foreign).toBe(0);
  });

  it("daemon killed after publishing an activation, before its state was appended: the cams are told it ended", async () => {
    const { daemon, cams, vehicleId, dataDir } = await setup(["bc1", "bc2"]);
    const statePath = join(dataDir, "state", "activation.jsonl");
    const before = existsSync(statePath) ? readFileSync(statePath) : null;
    daemon.lightsOn(); // published first, then appended to the state journal (issue 16)
    const eventId = daemon.eventId;
    await waitFor("cams recording", () => cams.every((c) => c.recording && c.eventId === eventId));
    await waitFor(
      "the activation acknowledged",
      () => (daemon.sync.status() as { outboxPending: number }).outboxPending === 0,
    );
    await daemon.kill();
    // Killed in the microseconds between the publish and the append: the state file never had the event.
    if (before) writeFileSync(statePath, before);
    else rmSync(statePath, { force: true });
    const restarted = new DaemonUnderTest(vehicleId, dataDir, broker());
    cleanup.push(() => restarted.stop());
    await restarted.start();
    expect(restarted.eventId).toBeNull();
    // The broker still holds the retained `active: true`; the car no longer knows the event: it ends it.
    await waitFor("cams told the event ended", () => cams.every((c) => !c.recording), 15_000);
    restarted.lightsOff();
    restarted.lightsOn();
    const next = restarted.eventId;
    expect(next).not.toBeNull();
    expect(next).not.toBe(eventId);
    await waitFor("cams recording the next event", () =>
      cams.every((c) => c.recording && c.eventId === next),
    );
  }, 30_000);

  it("daemon killed mid-event and restarted: the activation it had not delivered is replayed", async () => {
    const { daemon, cams, vehicleId, dataDir } = await setup(["bc1", "bc2"]);
    const seen = activationsSeen(cams[0] as ReferenceBodycam);
    let eventId: string | null = null;
    let startSeq = -1;
    await broker().restart(async () => {
      await waitFor("daemon saw the outage", () => !daemon.connected);
      daemon.lightsOn(); // decided and written to the outbox, never delivered…
      eventId = daemon.eventId;
      startSeq = daemon.decisions.find((d) => d.type === "event-start")?.seq ?? -1;
      await daemon.kill(); // …because the daemon dies here
    });
    expect(eventId).not.toBeNull();
    const restarted = new DaemonUnderTest(vehicleId, dataDir, broker());
    cleanup.push(() => restarted.stop());
    await restarted.start();
    expect(restarted.eventId).toBe(eventId);
    await waitFor(
      "cams recording the event",
      () => cams.every((c) => c.recording && c.eventId === eventId),
      10_000,
    );
    await waitFor("confirmations to the restarted daemon", () => restarted.confirmations.length === 2);
    // The restarted daemon announces the resumed event with a higher seq; the killed daemon's own
    // event-start activation can only come from its outbox.
    await waitFor("the resume activation", () => seen.some((a) => a.eventId === eventId && a.seq > startSeq));
    const start = seen.find((a) => a.eventId === eventId && a.seq === startSeq);
    expect(start, "the killed daemon's event-start activation reached the cams").toMatchObject({
      active: true,
      origin: { kind: "lightbar", id: "lightbar" },
    });
  });
}
