import { describe, expect, it } from "vitest";
import {
  button,
  cam7,
  cli,
  engine,
  lightbar,
  run,
  type Step,
  s,
  siren,
  speed,
  types,
  withDefaults,
} from "../../test/support/activation-steps.js";
import { ActivationEngine, type ActivationPolicy } from "./activation.js";
import { isEventId } from "./event-id.js";

describe("activation engine policy", () => {
  const table: {
    name: string;
    policy?: Partial<ActivationPolicy>;
    steps: Step[];
    expect: string[];
    final: string;
  }[] = [
    {
      name: "a trigger starts an event; its clearing does not stop it (stopOn manual)",
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(5), trigger: lightbar, active: false },
        { at: s(3600), advance: true },
      ],
      expect: ["event-start", "rollover"],
      final: "active",
    },
    {
      name: "a manual stop begins post-roll, which ends the event postRollSeconds later",
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(10), command: "stop", origin: button },
        { at: s(39.999), advance: true },
        { at: s(40), advance: true },
      ],
      expect: ["event-start", "stop-requested", "event-end"],
      final: "idle",
    },
    {
      name: "a trigger during post-roll continues the same event",
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(10), command: "stop", origin: cli },
        { at: s(20), trigger: siren, active: true },
        { at: s(100), advance: true },
      ],
      expect: ["event-start", "stop-requested", "event-join"],
      final: "active",
    },
    {
      name: "a remote stop of a hand-started recording is refused",
      steps: [
        { at: s(0), command: "start", origin: button },
        { at: s(5), command: "stop", origin: cam7 },
        { at: s(500), advance: true },
      ],
      expect: ["event-start", "stop-refused"],
      final: "active",
    },
    {
      name: "triggers-clear never stops a hand-started recording",
      policy: { stopOn: "triggers-clear", clearDelaySeconds: 5 },
      steps: [
        { at: s(0), command: "start", origin: cli },
        { at: s(1), trigger: lightbar, active: true },
        { at: s(2), trigger: lightbar, active: false },
        { at: s(600), advance: true },
      ],
      expect: ["event-start", "event-join"],
      final: "active",
    },
    {
      name: "triggers-clear stops an automatic event clearDelaySeconds after the last trigger cleared",
      policy: { stopOn: "triggers-clear", clearDelaySeconds: 5, postRollSeconds: 30 },
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(1), trigger: speed, active: true },
        { at: s(10), trigger: lightbar, active: false },
        { at: s(20), advance: true },
        { at: s(30), trigger: speed, active: false },
        { at: s(34.9), advance: true },
        { at: s(35), advance: true },
        { at: s(65), advance: true },
      ],
      expect: ["event-start", "event-join", "stop-requested", "event-end"],
      final: "idle",
    },
    {
      name: "a new trigger cancels a pending triggers-clear stop",
      policy: { stopOn: "triggers-clear", clearDelaySeconds: 5 },
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(10), trigger: lightbar, active: false },
        { at: s(12), trigger: siren, active: true },
        { at: s(100), advance: true },
      ],
      expect: ["event-start", "event-join"],
      final: "active",
    },
    {
      name: "an automatic source can never stop an event by command, even one it started",
      steps: [
        { at: s(0), trigger: speed, active: true },
        { at: s(1), command: "stop", origin: speed },
      ],
      expect: ["event-start", "stop-refused"],
      final: "active",
    },
    {
      name: "a button press while recording is a bookmark, not a new event",
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(3), command: "start", origin: button },
        { at: s(4), command: "mark", origin: cli },
      ],
      expect: ["event-start", "mark", "mark"],
      final: "active",
    },
    {
      name: "mark and stop while idle are ignored",
      steps: [
        { at: s(0), command: "mark", origin: cli },
        { at: s(1), command: "stop", origin: button },
      ],
      expect: [],
      final: "idle",
    },
    {
      name: "a duplicate trigger (QoS 1 redelivery) is idempotent",
      steps: [
        { at: s(0), trigger: cam7, active: true },
        { at: s(0.1), trigger: cam7, active: true },
      ],
      expect: ["event-start"],
      final: "active",
    },
    {
      name: "a trigger still asserted after a manual stop does not restart recording",
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(10), command: "stop", origin: button },
        { at: s(40), advance: true },
        { at: s(60), advance: true },
      ],
      expect: ["event-start", "stop-requested", "event-end"],
      final: "idle",
    },
    {
      name: "the same trigger going off and on again after the event ended starts a new event",
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(10), command: "stop", origin: button },
        { at: s(40), advance: true },
        { at: s(50), trigger: lightbar, active: false },
        { at: s(51), trigger: lightbar, active: true },
      ],
      expect: ["event-start", "stop-requested", "event-end", "event-start"],
      final: "active",
    },
    {
      name: "a long event rolls over into a new part every maxEventMinutes",
      policy: { maxEventMinutes: 10 },
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(1800), advance: true },
      ],
      expect: ["event-start", "rollover", "rollover", "rollover"],
      final: "active",
    },
    {
      name: "a second stop during post-roll is ignored (post-roll is not extended)",
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(10), command: "stop", origin: button },
        { at: s(20), command: "stop", origin: button },
        { at: s(40), advance: true },
      ],
      expect: ["event-start", "stop-requested", "event-end"],
      final: "idle",
    },
    {
      name: "a manual start during post-roll continues the event and makes it hand-held",
      policy: { stopOn: "triggers-clear", clearDelaySeconds: 1 },
      steps: [
        { at: s(0), trigger: lightbar, active: true },
        { at: s(5), command: "stop", origin: button },
        { at: s(10), command: "start", origin: button },
        { at: s(11), trigger: siren, active: true },
        { at: s(12), trigger: siren, active: false },
        { at: s(100), advance: true },
      ],
      expect: ["event-start", "stop-requested", "event-join", "event-join"],
      final: "active",
    },
  ];

  for (const row of table) {
    it(row.name, () => {
      const e = engine(row.policy);
      const ds = run(e, row.steps);
      expect(types(ds)).toEqual(row.expect);
      expect(e.state).toBe(row.final);
      for (const d of ds) expect(d.reason.length).toBeGreaterThan(3);
    });
  }
});

describe("activation decisions", () => {
  it("event-start carries a readable, sortable event id, the origin and the pre-event length", () => {
    const e = engine({ preEventSeconds: 45 });
    const [d] = e.handleTrigger({ origin: lightbar, active: true, at: s(0), reason: "light bar on" });
    expect(d).toMatchObject({
      type: "event-start",
      eventId: "20261126T142233Z-unit12-0000",
      origin: lightbar,
      preEventSeconds: 45,
      reason: "light bar on",
    });
    expect(isEventId(d?.type === "event-start" ? d.eventId : "")).toBe(true);
  });

  it("seq increases by one with every decision", () => {
    const e = engine();
    const ds = run(e, [
      { at: s(0), trigger: lightbar, active: true },
      { at: s(1), command: "mark", origin: cli },
      { at: s(2), command: "stop", origin: cli },
      { at: s(40), advance: true },
    ]);
    expect(ds.map((d) => d.seq)).toEqual([1, 2, 3, 4]);
  });

  it("refusals say why: hand-started recordings only stop by hand", () => {
    const e = engine();
    e.handleCommand({ kind: "start", origin: button, at: s(0), reason: "button" });
    const [d] = e.handleCommand({ kind: "stop", origin: cam7, at: s(1), reason: "remote" });
    expect(d?.type).toBe("stop-refused");
    expect(d?.reason).toMatch(/started by hand/);
  });

  it("the trigger during post-roll is reported as a continuation", () => {
    const e = engine();
    run(e, [
      { at: s(0), trigger: lightbar, active: true },
      { at: s(1), command: "stop", origin: cli },
    ]);
    const [d] = e.handleTrigger({ origin: speed, active: true, at: s(2), reason: "speed 131 km/h" });
    expect(d).toMatchObject({ type: "event-join", continued: true });
    expect(d?.reason).toMatch(/post-roll continues/);
    expect(e.postRollEndsAt).toBeNull();
  });

  it("nextDeadline names the post-roll end, the clear delay, or the rollover", () => {
    const e = engine({ stopOn: "triggers-clear", clearDelaySeconds: 5, maxEventMinutes: 60 });
    expect(e.nextDeadline()).toBeNull();
    e.handleTrigger({ origin: lightbar, active: true, at: s(0), reason: "on" });
    expect(e.nextDeadline()).toBe(s(3600));
    e.handleTrigger({ origin: lightbar, active: false, at: s(10), reason: "off" });
    expect(e.nextDeadline()).toBe(s(15));
    e.advance(s(15));
    expect(e.nextDeadline()).toBe(s(45));
  });
});

describe("restart resume", () => {
  it("a daemon killed mid-event resumes the same event from its snapshot", () => {
    const a = engine();
    const [start] = a.handleTrigger({ origin: lightbar, active: true, at: s(0), reason: "on" });
    const snap = JSON.parse(JSON.stringify(a.snapshot()));
    const b = new ActivationEngine(withDefaults(), { vehicleId: "unit12" }, snap);
    const resumed = b.resume(s(20));
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({
      type: "event-resume",
      eventId: start?.type === "event-start" ? start.eventId : "?",
      state: "active",
    });
    expect(b.state).toBe("active");
    // Same event continues: a stop now ends *that* event.
    const stop = b.handleCommand({ kind: "stop", origin: button, at: s(30), reason: "stop" });
    expect(stop[0]).toMatchObject({ type: "stop-requested", eventId: resumed[0]?.eventId });
    expect(resumed[0]?.seq).toBeGreaterThan(start?.seq ?? 0);
  });

  it("a post-roll that ended while the daemon was down ends on the first advance after restart", () => {
    const a = engine({ postRollSeconds: 30 });
    run(a, [
      { at: s(0), trigger: lightbar, active: true },
      { at: s(10), command: "stop", origin: button },
    ]);
    const b = new ActivationEngine(
      withDefaults({ postRollSeconds: 30 }),
      { vehicleId: "unit12" },
      a.snapshot(),
    );
    const ds = [...b.resume(s(100)), ...b.advance(s(100))];
    expect(ds.map((d) => d.type)).toEqual(["event-resume", "event-end"]);
    expect(ds[1]?.at).toBe(s(40));
    expect(b.state).toBe("idle");
  });

  it("a hand-held event stays hand-held across a restart", () => {
    const a = engine({ stopOn: "triggers-clear", clearDelaySeconds: 1 });
    a.handleCommand({ kind: "start", origin: cli, at: s(0), reason: "officer" });
    const b = new ActivationEngine(
      withDefaults({ stopOn: "triggers-clear", clearDelaySeconds: 1 }),
      { vehicleId: "unit12" },
      a.snapshot(),
    );
    b.resume(s(5));
    const ds = [
      ...b.handleTrigger({ origin: lightbar, active: true, at: s(6), reason: "on" }),
      ...b.handleTrigger({ origin: lightbar, active: false, at: s(7), reason: "off" }),
      ...b.advance(s(60)),
    ];
    expect(types(ds)).toEqual(["event-join"]);
    expect(b.state).toBe("active");
  });

  it("trigger levels are not carried over a restart: the source's next start is not dropped as a duplicate", () => {
    const a = engine();
    a.handleTrigger({ origin: cam7, active: true, at: s(0), reason: "bc-7 recording" });
    // daemon killed; the officer stops the event after restart, then starts the body cam again
    const b = new ActivationEngine(withDefaults(), { vehicleId: "unit12" }, a.snapshot());
    b.resume(s(10));
    expect(b.activeTriggerKeys).toEqual([]);
    b.handleCommand({ kind: "stop", origin: button, at: s(20), reason: "long press" });
    b.advance(s(60));
    expect(b.state).toBe("idle");
    const again = b.handleTrigger({ origin: cam7, active: true, at: s(70), reason: "bc-7 recording again" });
    expect(again.map((d) => d.type)).toEqual(["event-start"]);
  });

  it("an idle snapshot forgets trigger levels too (lights switched off while the daemon was down)", () => {
    const a = engine();
    run(a, [
      { at: s(0), trigger: lightbar, active: true },
      { at: s(1), command: "stop", origin: button },
      { at: s(40), advance: true },
    ]);
    expect(a.activeTriggerKeys).toEqual(["lightbar:lightbar"]);
    const b = new ActivationEngine(withDefaults(), { vehicleId: "unit12" }, a.snapshot());
    expect(b.resume(s(50))).toEqual([]);
    const d = b.handleTrigger({ origin: lightbar, active: true, at: s(60), reason: "lights on" });
    expect(d.map((x) => x.type)).toEqual(["event-start"]);
  });

  it("an idle snapshot resumes nothing", () => {
    const b = new ActivationEngine(withDefaults(), { vehicleId: "unit12" }, engine().snapshot());
    expect(b.resume(s(0))).toEqual([]);
  });
});
