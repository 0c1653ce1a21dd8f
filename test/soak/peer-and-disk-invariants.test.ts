import { describe, expect, it } from "vitest";
import { brokerConnections } from "../../soak/hijack-attempt.mjs";
import { everyGapExplained, type Fault, type Journal } from "../../soak/invariants.mjs";
import { assemblyRecoveredFromFullDisk, hijackRefused } from "../../soak/peer-and-disk-invariants.mjs";
import { FAULT_KINDS, planSchedule } from "../../soak/schedule.mjs";
import { decision, EV, iso, journal, manifest, T } from "./journal-fixture.js";

// Invariants 11 and 12 (issue 11): each shown passing on a consistent journal and failing on the
// violation it exists for.

const EV2 = "20261126T120100Z-soak1-beef";

function firstCamera() {
  const cam = manifest().cameras[0];
  if (!cam) throw new Error("the fixture's manifest has a camera");
  return cam;
}

/** A hijack of bc2's identity at T+20 s for 4 s; bc1 (the other paired cam) gets the activation 40 ms later. */
function hijackJournal(over: Partial<Fault> = {}, j: Partial<Journal> = {}): Journal {
  const at = T + 20_000;
  const fault: Fault = {
    kind: "hijack-attempt",
    at,
    until: at + 4000,
    identity: "bc2",
    daemonClientId: "camsync",
    attempts: [
      { at, localPort: 40001, outcome: "connected", brokerClientId: "bc2" },
      { at: at + 500, localPort: 40002, outcome: "connected", brokerClientId: "bc2" },
      { at: at + 1000, localPort: null, outcome: "refused: connection closed before CONNACK" },
    ],
    daemonDrops: [],
    offlineStatus: [],
    ...over,
  };
  const base = journal();
  return journal({
    paired: ["bc1", "bc2"],
    faults: [fault],
    decisions: [...base.decisions, decision("event-start", at + 2000, { kind: "cli", id: "cli" }, EV2)],
    bodycamActivations: [
      ...base.bodycamActivations,
      { at: at + 2040, id: "bc1", payload: { eventId: EV2, active: true } },
    ],
    ...j,
  });
}

describe("soak invariant 11: a client-id hijack", () => {
  it("holds when every connection got the cam's own id or was refused, the daemon stayed up and bc1 got the activation", () => {
    const r = hijackRefused(hijackJournal());
    expect(r.failures).toEqual([]);
    expect(r).toMatchObject({ attempts: 1, connections: 3, activations: 1, maxLatencyMs: 40 });
  });

  it("fails when the broker gave a connection the daemon's client id", () => {
    const j = hijackJournal({
      attempts: [{ at: T + 20_000, localPort: 40001, outcome: "connected", brokerClientId: "camsync" }],
    });
    const r = hijackRefused(j);
    expect(r.ok).toBe(false);
    expect(r.failures[0]).toMatch(/bc2 was connected as the daemon \(camsync\)/);
  });

  it("fails when an accepted connection's client id is unknown (it cannot pass for want of evidence)", () => {
    const j = hijackJournal({
      attempts: [{ at: T + 20_000, localPort: 40001, outcome: "connected", brokerClientId: null }],
    });
    expect(hijackRefused(j).failures[0]).toMatch(/does not say as which client id/);
  });

  it("fails when no connection was attempted", () => {
    expect(hijackRefused(hijackJournal({ attempts: [] })).failures[0]).toMatch(/no connection was attempted/);
  });

  it("fails when the daemon's connection dropped, or the witness saw the car offline, during the attempt", () => {
    const dropped = hijackRefused(
      hijackJournal({
        daemonDrops: [{ at: T + 21_000, msg: "MQTT broker connection lost; activations wait in the outbox" }],
      }),
    );
    expect(dropped.failures[0]).toMatch(/MQTT connection dropped/);
    const offline = hijackRefused(hijackJournal({ offlineStatus: [{ at: T + 21_000, retain: false }] }));
    expect(offline.failures[0]).toMatch(/saw the car go offline/);
  });

  it("does not blame the hijack for a drop when a broker restart overlapped it", () => {
    const j = hijackJournal({ daemonDrops: [{ at: T + 21_000, msg: "lost" }] });
    j.faults.push({ kind: "restart-broker", at: T + 20_500, until: T + 21_500 });
    expect(hijackRefused(j).ok).toBe(true);
  });

  it("fails when an activation reached another paired cam late, or never", () => {
    const late = hijackJournal(
      {},
      { bodycamActivations: [{ at: T + 22_000 + 3500, id: "bc1", payload: { eventId: EV2, active: true } }] },
    );
    expect(hijackRefused(late).failures[0]).toMatch(/reached bc1 after 3500 ms \(bound 3000 ms\)/);
    const never = hijackJournal({}, { bodycamActivations: [] });
    expect(hijackRefused(never).failures[0]).toMatch(/reached bc1 never/);
  });

  it("does not judge the hijacked identity's own cam (its connection is knocked off by design)", () => {
    const j = hijackJournal();
    expect(j.bodycamActivations.some((a) => a.id === "bc2")).toBe(false);
    expect(hijackRefused(j).ok).toBe(true);
  });

  it("judges a join too: a stop driven while triggers stay active ends in a join, published to the cams again", () => {
    const at = T + 20_000;
    const joined = (delivered: boolean) =>
      hijackJournal(
        {},
        {
          decisions: [
            ...journal().decisions,
            decision("event-join", at + 2000, { kind: "lightbar", id: "lb" }, EV),
          ],
          bodycamActivations: [
            { at: at - 60_000, id: "bc1", payload: { eventId: EV, active: true } },
            ...(delivered ? [{ at: at + 2030, id: "bc1", payload: { eventId: EV, active: true } }] : []),
          ],
        },
      );
    expect(hijackRefused(joined(true))).toMatchObject({ ok: true, activations: 1, maxLatencyMs: 30 });
    expect(hijackRefused(joined(false)).failures[0]).toMatch(/event-join .* reached bc1 never/);
  });

  it("fails when no activation happened during or after it to judge", () => {
    const base = journal();
    const r = hijackRefused(hijackJournal({}, { decisions: base.decisions }));
    expect(r.failures[0]).toMatch(/no activation during or after it/);
  });
});

describe("the broker's connection log", () => {
  it("gives the client id Mosquitto assigned to each client port (the latest line per port)", () => {
    const log = [
      "1764950000: New connection from 127.0.0.1:40001 on port 8883.",
      "1764950000: New client connected from 127.0.0.1:40001 as bc2 (p2, c1, k60, u'bc2').",
      "1764950001: New client connected from 127.0.0.1:40002 as camsync (p2, c0, k5, u'camsync').",
      "1764950002: New client connected from 127.0.0.1:40001 as bc3 (p2, c1, k60, u'bc3').",
    ].join("\n");
    const m = brokerConnections(log);
    expect(m.get(40001)).toEqual({ clientId: "bc3", username: "bc3" });
    expect(m.get(40002)).toEqual({ clientId: "camsync", username: "camsync" });
    expect(m.get(40003)).toBeUndefined();
  });
});

/** Disk filled at T+12 s as EV ended, freed 6 s later; assembled 2.1 s after that; both alerts raised. */
function fullDiskJournal(tryOver: Record<string, unknown> = {}, j: Partial<Journal> = {}): Journal {
  const t = {
    eventId: EV,
    startedAt: T,
    endedAt: T + 12_000,
    filledAt: T + 12_003,
    filledBytes: 1_000_000_000,
    noSpaceLogged: true,
    assembledBeforeFree: false,
    freedAt: T + 18_000,
    assembledAfterFreeMs: 2100,
    ...tryOver,
  };
  return journal({
    faults: [{ kind: "fill-during-assembly", at: T + 1000, until: T + 21_000, tries: [t] }],
    alerts: [
      { at: T + 12_500, code: "event-assembly-failed", eventId: EV },
      { at: T + 13_000, code: "storage-low" },
    ],
    ...j,
  });
}

describe("soak invariant 12: disk full during assembly", () => {
  it("holds when the assembly failed for lack of space, alerted, and the event was assembled once space returned", () => {
    const r = assemblyRecoveredFromFullDisk(fullDiskJournal());
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(1);
    expect(r.recovered).toEqual([{ eventId: EV, assembledAfterFreeMs: 2100, tries: 1 }]);
  });

  it("fails when no assembly hit the full disk (the fault proved nothing)", () => {
    const r = assemblyRecoveredFromFullDisk(
      fullDiskJournal({ noSpaceLogged: false, assembledBeforeFree: true }),
    );
    expect(r.failures[0]).toMatch(
      /no assembly failed for lack of space .*assembled before the disk was full/,
    );
    const passedOver = assemblyRecoveredFromFullDisk(
      fullDiskJournal({ noSpaceLogged: undefined, filledAt: undefined, passedOver: "it ended too early" }),
    );
    expect(passedOver.failures[0]).toMatch(/no assembly failed for lack of space \(.*: it ended too early\)/);
  });

  it("fails when the event was not assembled after space returned, or too late", () => {
    const never = assemblyRecoveredFromFullDisk(fullDiskJournal({ assembledAfterFreeMs: undefined }));
    expect(never.failures[0]).toMatch(/not assembled after space returned/);
    const late = assemblyRecoveredFromFullDisk(fullDiskJournal({ assembledAfterFreeMs: 45_000 }));
    expect(late.failures[0]).toMatch(/assembled 45000 ms after space returned/);
  });

  it("fails when the event has no manifest at the end, or one without hashed files", () => {
    const none = assemblyRecoveredFromFullDisk(
      fullDiskJournal(
        {},
        { events: [{ eventId: EV, dir: "/d", manifest: null, error: "no manifest.json" }] },
      ),
    );
    expect(none.failures[0]).toMatch(/no manifest at the end \(no manifest.json\)/);
    const unhashed = manifest({ cameras: [{ ...firstCamera(), files: [] }] });
    const r = assemblyRecoveredFromFullDisk(
      fullDiskJournal({}, { events: [{ eventId: EV, dir: "/d", manifest: unhashed }] }),
    );
    expect(r.failures[0]).toMatch(/without a hashed file/);
  });

  it("fails without the event's assembly alert or a storage alert", () => {
    const noEventAlert = assemblyRecoveredFromFullDisk(
      fullDiskJournal({}, { alerts: [{ at: T + 13_000, code: "storage-low" }] }),
    );
    expect(noEventAlert.failures).toEqual([
      `event ${EV}: its failed assembly raised no event-assembly-failed alert`,
    ]);
    const noStorage = assemblyRecoveredFromFullDisk(
      fullDiskJournal({}, { alerts: [{ at: T + 12_500, code: "event-assembly-failed", eventId: EV }] }),
    );
    expect(noStorage.failures[0]).toMatch(/no storage alert/);
  });

  it("reports a fault skipped for want of a tmpfs as skipped, not as checked", () => {
    const r = assemblyRecoveredFromFullDisk(
      journal({ faults: [{ kind: "fill-during-assembly", at: T, until: T, skipped: "needs root" }] }),
    );
    expect(r).toMatchObject({ ok: true, checked: 0 });
    expect(r.skipped).toEqual([`${iso(T)}: needs root`]);
  });

  it("explains a gap that falls while the disk was really full, and only then", () => {
    const gap = { from: iso(T + 14_000), to: iso(T + 16_000), seconds: 2, cause: "ffmpeg exited" };
    const withGap = manifest({ cameras: [{ ...firstCamera(), gaps: [gap] }] });
    const events = [{ eventId: EV, dir: "/d", manifest: withGap }];
    expect(everyGapExplained(fullDiskJournal({}, { events })).ok).toBe(true);
    const elsewhere = fullDiskJournal({ filledAt: T + 60_000, freedAt: T + 66_000 }, { events });
    expect(everyGapExplained(elsewhere).ok).toBe(false);
  });
});

describe("the schedule", () => {
  it("has a hijack attempt and a disk filled during assembly in every soak, with their durations", () => {
    expect(FAULT_KINDS).toEqual(expect.arrayContaining(["hijack-attempt", "fill-during-assembly"]));
    for (const seed of [1, 2, 3, 1101, 4242]) {
      const plan = planSchedule({ seed, durationMs: 150_000, warmupMs: 25_000, bodycams: ["bc1"] });
      const hijacks = plan.filter((p) => p.action === "hijack-attempt");
      const fills = plan.filter((p) => p.action === "fill-during-assembly");
      expect(hijacks.length, `seed ${seed}`).toBeGreaterThan(0);
      expect(fills.length, `seed ${seed}`).toBeGreaterThan(0);
      for (const h of hijacks) expect(h.arg).toSatisfy((ms: number) => ms >= 3000 && ms <= 8000);
      for (const f of fills) expect(f.arg).toSatisfy((ms: number) => ms >= 3000 && ms <= 6000);
    }
  });
});
