import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import type { Decision } from "./activation.js";
import { ActivationService, readSnapshot } from "./activation-service.js";
import { activationConfigSchema } from "./config.js";
import { type Alert, EventBus } from "./event-bus.js";

/** The default policy, from the schema (the one place defaults are written). */
const DEFAULT_POLICY = activationConfigSchema.parse({});

const log = { info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(clock = new FakeClock(), statePath?: string) {
  const dir = mkdtempSync(join(tmpdir(), "camsync-act-"));
  dirs.push(dir);
  const bus = new EventBus();
  const decisions: Decision[] = [];
  const alerts: Alert[] = [];
  bus.on("decision", (d) => decisions.push(d));
  bus.on("alert", (a) => alerts.push(a));
  const path = statePath ?? join(dir, "state", "activation.jsonl");
  const svc = new ActivationService({
    policy: { ...DEFAULT_POLICY, postRollSeconds: 30 },
    vehicleId: "unit12",
    statePath: path,
    bus,
    clock,
    log,
  });
  return { svc, bus, clock, decisions, alerts, path };
}

describe("activation service", () => {
  it("turns bus triggers into decisions and ends post-roll on its own timer", async () => {
    const { svc, bus, clock, decisions } = setup();
    await svc.start();
    bus.emit("trigger", {
      origin: { kind: "lightbar", id: "lb" },
      active: true,
      at: clock.now(),
      reason: "lights on",
    });
    clock.advance(5000);
    bus.emit("command", {
      kind: "stop",
      origin: { kind: "button", id: "btn" },
      at: clock.now(),
      reason: "long press",
    });
    clock.advance(29_999);
    expect(decisions.map((d) => d.type)).toEqual(["event-start", "stop-requested"]);
    clock.advance(1);
    expect(decisions.map((d) => d.type)).toEqual(["event-start", "stop-requested", "event-end"]);
    await svc.stop();
    expect(clock.timerCount).toBe(0);
  });

  it("announces a decision before persisting it, in the same turn, so a new process resumes the same event", async () => {
    const first = setup();
    await first.svc.start();
    let atAnnounce: unknown;
    first.bus.on("decision", () => {
      atAnnounce = readSnapshot(first.path).snapshot;
    });
    first.bus.emit("trigger", {
      origin: { kind: "can", id: "speed" },
      active: true,
      at: first.clock.now(),
      reason: "speed 131 km/h",
    });
    const started = first.decisions[0];
    // The body cams are not kept waiting for the disk: the listeners ran before the append…
    expect(atAnnounce).not.toMatchObject({ state: "active" });
    // …which happened before the trigger's emit returned (no later turn, no await).
    expect(readSnapshot(first.path).snapshot).toMatchObject({ state: "active", seq: 1 });
    // Killed: no stop(). A second service on the same state file resumes.
    const second = setup(first.clock, first.path);
    await second.svc.start();
    expect(second.decisions[0]).toMatchObject({
      type: "event-resume",
      eventId: started?.type === "event-start" ? started.eventId : "none",
    });
    await second.svc.stop();
  });

  it("a corrupt state file raises an alert and starts idle instead of crashing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "camsync-act-"));
    dirs.push(dir);
    const path = join(dir, "activation.jsonl");
    writeFileSync(path, "{not json");
    const { svc, alerts } = setup(new FakeClock(), path);
    await svc.start();
    expect(alerts[0]?.code).toBe("state-corrupt");
    expect(svc.status().state).toBe("idle");
    await svc.stop();
  });
});

describe("activation service start-up", () => {
  it("handles a trigger emitted before start (lights already on while the daemon starts)", async () => {
    const { svc, bus, clock, decisions } = setup();
    svc.subscribe();
    bus.emit("trigger", {
      origin: { kind: "lightbar", id: "lb" },
      active: true,
      at: clock.now(),
      reason: "on at start",
    });
    expect(decisions).toEqual([]);
    await svc.start();
    expect(decisions.map((d) => d.type)).toEqual(["event-start"]);
    expect(decisions[0]?.reason).toBe("on at start");
    await svc.stop();
  });
});

describe("activation state file", () => {
  it("reads the pretty-printed activation.json of earlier versions when the journal does not exist yet", async () => {
    const dir = mkdtempSync(join(tmpdir(), "camsync-act-"));
    dirs.push(dir);
    const first = setup(new FakeClock(), join(dir, "activation.jsonl"));
    await first.svc.start();
    first.bus.emit("trigger", {
      origin: { kind: "lightbar", id: "lightbar" },
      active: true,
      at: first.clock.now(),
      reason: "lights on",
    });
    const snapshot = readSnapshot(first.path).snapshot;
    writeFileSync(join(dir, "activation.json"), `${JSON.stringify(snapshot, null, 2)}\n`);
    rmSync(first.path);
    const second = setup(first.clock, first.path);
    await second.svc.start();
    expect(second.decisions[0]?.type).toBe("event-resume");
    await second.svc.stop();
  });
});
