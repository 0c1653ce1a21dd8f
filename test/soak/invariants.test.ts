import { describe, expect, it } from "vitest";
import {
  everyCamConfirmedOrAlerted,
  everyEventVerifies,
  everyGapExplained,
  everyTriggerProducedAnEvent,
  noActivationLost,
  noFootageDeleted,
  noUnauthorisedEffect,
  operatorMistakesHandled,
  resourcesFlat,
} from "../../soak/invariants.mjs";
import { FAULT_KINDS, planSchedule } from "../../soak/schedule.mjs";
import { decision, EV, iso, journal, light, manifest, T } from "./journal-fixture.js";

// The soak's verdict must be able to fail: each invariant is shown catching the violation it exists for.

describe("soak invariants", () => {
  it("a consistent journal passes every event-level invariant", () => {
    const j = journal();
    for (const check of [
      everyTriggerProducedAnEvent,
      everyEventVerifies,
      everyGapExplained,
      everyCamConfirmedOrAlerted,
      noActivationLost,
      noUnauthorisedEffect,
      noFootageDeleted,
    ]) {
      const r = check(j);
      expect(r.failures, r.name).toEqual([]);
      expect(r.checked, r.name).toBeGreaterThan(0);
    }
  });

  it("a trigger the engine ignored as a duplicate is a failure, and names what the engine did", () => {
    const r = everyTriggerProducedAnEvent(
      journal({
        decisions: [
          { ...decision("ignored", T + 60), reason: "lightbar:lightbar already active (duplicate)" },
        ],
      }),
    );
    expect(r.ok).toBe(false);
    expect(r.failures[0]).toMatch(/lightbar-on .* no event-start\/join\/mark .*already active \(duplicate\)/);
  });

  it("one decision answers one trigger only", () => {
    const r = everyTriggerProducedAnEvent(
      journal({
        injections: [
          { at: T, origin: light, action: "lightbar-on" },
          { at: T + 100, origin: light, action: "lightbar-on" },
        ],
      }),
    );
    expect(r.failed).toBe(1);
  });

  it("a trigger may take longer while the daemon restarts, but not without a fault", () => {
    const late = journal({ decisions: [decision("event-start", T + 12_000)] });
    expect(everyTriggerProducedAnEvent(late).ok).toBe(false);
    const withKill = journal({ ...late, faults: [{ kind: "kill-daemon", at: T + 1000, until: T + 3000 }] });
    expect(everyTriggerProducedAnEvent(withKill).ok).toBe(true);
  });

  it("an event without its directory, or a failing camsync verify, fails verification", () => {
    expect(everyEventVerifies(journal({ events: [] })).failures[0]).toMatch(/has no directory/);
    const r = everyEventVerifies(
      journal({ verify: { code: 1, stdout: "CHANGED front.mp4: sha256 differs", stderr: "" } }),
    );
    expect(r.failures[0]).toMatch(/exited 1: CHANGED front\.mp4/);
    const unfinished = everyEventVerifies(
      journal({ events: [{ eventId: EV, dir: "/d", manifest: manifest({ endedAt: null }) }] }),
    );
    expect(unfinished.failures[0]).toMatch(/never finished/);
  });

  it("a gap must be recorded and explained by an injected fault", () => {
    const gap = { from: iso(T + 3000), to: iso(T + 5000), seconds: 2, cause: "ffmpeg restarted" };
    const segs = [0, 1, 2, 5, 6].map((s) => ({
      file: `s${s}.ts`,
      startedAt: iso(T + s * 1000),
      durationSeconds: 1,
      sha256: "",
      bytes: 1,
    }));
    const cam = (gaps: (typeof gap)[]) => [{ name: "front", files: [], segments: segs, gaps }];
    const recorded = journal({
      events: [{ eventId: EV, dir: "/d", manifest: manifest({ cameras: cam([gap]) }) }],
    });
    expect(everyGapExplained(recorded).failures[0]).toMatch(/matches no injected fault/);
    const explained = { ...recorded, faults: [{ kind: "kill-ffmpeg", at: T + 2900, until: T + 4500 }] };
    expect(everyGapExplained(explained).ok).toBe(true);
    const hidden = journal({
      events: [{ eventId: EV, dir: "/d", manifest: manifest({ cameras: cam([]) }) }],
      faults: explained.faults,
    });
    expect(everyGapExplained(hidden).failures[0]).toMatch(
      /2\.00 s between s2\.ts and s5\.ts is not recorded as a gap/,
    );
  });

  it("a paired cam that neither confirmed nor was alerted fails; an alert on R/alert is enough", () => {
    const silent = journal({ paired: ["bc1", "bc2"] });
    expect(everyCamConfirmedOrAlerted(silent).failures).toEqual([
      `${EV}: body cam bc2 neither confirmed nor alerted`,
    ]);
    const alerted = {
      ...silent,
      alerts: [{ at: T + 3000, code: "bodycam-unconfirmed", device: "bc2", eventId: EV }],
    };
    expect(everyCamConfirmedOrAlerted(alerted).ok).toBe(true);
  });

  it("an activation that never reached the broker or a cam, or a stale retained activation, is lost", () => {
    expect(noActivationLost(journal({ activations: [] })).failures).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/no R\/activation active:true/),
        expect.stringMatching(/its end never reached/),
      ]),
    );
    expect(noActivationLost(journal({ bodycamActivations: [] })).failures[0]).toMatch(/bc1 never received/);
    expect(
      noActivationLost(journal({ finalRetainedActivation: { eventId: EV, active: true } })).failures[0],
    ).toMatch(/retained R\/activation at the end/);
  });

  it("starts by unpaired cams, stops the harness never made, accepted bad credentials and spoofed events are unauthorised", () => {
    const rogue = decision("event-start", T + 60, { kind: "bodycam", id: "rogue" });
    expect(noUnauthorisedEffect(journal({ decisions: [rogue] })).failures[0]).toMatch(
      /unpaired bodycam:rogue/,
    );
    expect(noUnauthorisedEffect(journal({ stops: [] })).failures[0]).toMatch(
      /stop-requested .* by cli:cli .* no such action/,
    );
    const accepted = journal({ intruderAttempts: [{ at: T, kind: "bad-credentials", outcome: "ACCEPTED" }] });
    expect(noUnauthorisedEffect(accepted).failures).toEqual([
      "the broker accepted a client without valid credentials",
    ]);
    const spoofed = journal({
      bodycamRecordings: [{ at: T, id: "bc1", recording: true, eventId: "20000101T000000Z-rogue-dead" }],
    });
    expect(noUnauthorisedEffect(spoofed).failures[0]).toMatch(/which the car never started/);
  });

  it("deleted or rewritten footage is caught", () => {
    const gone = journal({
      footage: { seen: { "/x.mp4": { bytes: 5, firstSeen: T, final: true } }, atEnd: {} },
    });
    expect(noFootageDeleted(gone).failures[0]).toMatch(/\/x\.mp4 .* is gone/);
    const shrunk = journal({
      footage: {
        seen: { "/x.mp4": { bytes: 5, firstSeen: T, final: true } },
        atEnd: { "/x.mp4": { bytes: 4 } },
      },
    });
    expect(noFootageDeleted(shrunk).failures[0]).toMatch(/changed size 5 → 4/);
  });

  it("RSS or fds growing after warm-up fail; a run too short to tell is reported, not passed", () => {
    const samples = (rss: (i: number) => number, fds: (i: number) => number) =>
      Array.from({ length: 60 }, (_, i) => ({ at: T + i * 5000, run: 1, rssKiB: rss(i), fds: fds(i) }));
    const runs = [{ n: 1, startedAt: T - 70_000, readyAt: T - 61_000, endedAt: null }];
    const opts = { warmupMs: 60_000, minSpanMs: 120_000 };
    expect(
      resourcesFlat(
        journal({
          daemonRuns: runs,
          resources: samples(
            () => 90_000,
            () => 30,
          ),
        }),
        opts,
      ).ok,
    ).toBe(true);
    const leakRss = resourcesFlat(
      journal({
        daemonRuns: runs,
        resources: samples(
          (i) => 90_000 + i * 500,
          () => 30,
        ),
      }),
      opts,
    );
    expect(leakRss.failures[0]).toMatch(/RSS grew 19\.\d MiB/);
    const leakFd = resourcesFlat(
      journal({
        daemonRuns: runs,
        resources: samples(
          () => 90_000,
          (i) => 30 + Math.floor(i / 5),
        ),
      }),
      opts,
    );
    expect(leakFd.failures[0]).toMatch(/open fds grew by 8/);
    expect(resourcesFlat(journal({ daemonRuns: runs, resources: [] }), opts).failures[0]).toMatch(
      /not measured/,
    );
  });
});

describe("soak invariant: operator mistakes", () => {
  const second = {
    kind: "second-daemon",
    at: T,
    until: T + 400,
    exitCode: 1,
    exitMs: 400,
    runningPid: 100,
    namedHolder: true,
    logged: ["camsync refused to start: process 100 (camsync run) is already using the data directory"],
    ffmpegBefore: [201, 202],
    ffmpegAfter: [202, 201],
    runningPidAfter: 100,
  };
  const stale = { kind: "stale-lock", at: T - 9000, until: T - 5000, holderPid: 7, auditUpAtReady: true };
  const busy = {
    kind: "busy-port",
    at: T - 9000,
    until: T - 1000,
    port: 8080,
    downAtStart: true,
    upAfterFreeMs: 1200,
  };
  const ok = { faults: [second, stale, busy], finalStopMs: 1500 };

  it("passes when the second daemon was refused cleanly, the stale lock taken and the port recovered", () => {
    const r = operatorMistakesHandled(journal(ok));
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(4);
  });

  it.each([
    [
      "a second daemon that did not exit",
      { ...second, exitCode: "still running" },
      /exit still running, expected 1/,
    ],
    [
      "a second daemon that did not name the holder",
      { ...second, namedHolder: false },
      /did not name pid 100/,
    ],
    [
      "a second daemon that stopped the running one's ffmpeg",
      {
        ...second,
        ffmpegAfter: [301, 302],
        logged: [...second.logged, "camera front: stopping ffmpeg left over from a previous daemon"],
      },
      /did more than refuse: camera front: stopping ffmpeg left over/,
    ],
    [
      "a second daemon that changed the ffmpeg pids",
      { ...second, ffmpegAfter: [301, 302] },
      /ffmpeg changed/,
    ],
    [
      "an audit log kept down by a stale lock",
      { ...stale, auditUpAtReady: false },
      /audit log was not up at ready/,
    ],
    [
      "a status page never back after its port was freed",
      { ...busy, upAfterFreeMs: null },
      /not up within 20 s/,
    ],
  ])("fails on %s", (_name, fault, message) => {
    const faults = ok.faults.map((f) => (f.kind === fault.kind ? fault : f));
    expect(operatorMistakesHandled(journal({ ...ok, faults })).failures.join("\n")).toMatch(message);
  });

  it("fails when the daemon took longer than 5 s to exit after SIGTERM", () => {
    expect(operatorMistakesHandled(journal({ ...ok, finalStopMs: 7200 })).failures[0]).toMatch(
      /took 7200 ms to exit after SIGTERM/,
    );
  });

  it("a ffmpeg change explained by an overlapping ffmpeg kill is not blamed on the second daemon", () => {
    const kill = { kind: "kill-ffmpeg", at: T + 100, until: T + 1500 };
    const changed = { ...second, ffmpegAfter: [201, 305] };
    expect(
      operatorMistakesHandled(journal({ ...ok, faults: [changed, stale, busy, kill] })).failures,
    ).toEqual([]);
  });
});

describe("soak schedule", () => {
  const cams = ["bc1", "bc2"];
  it("is a pure function of the seed: the same seed replays the same run", () => {
    const a = planSchedule({ seed: 42, durationMs: 180_000, bodycams: cams });
    expect(planSchedule({ seed: 42, durationMs: 180_000, bodycams: cams })).toEqual(a);
    expect(planSchedule({ seed: 43, durationMs: 180_000, bodycams: cams })).not.toEqual(a);
  });

  it.each([1, 7, 99, 2024])(
    "seed %i: the short CI form injects every fault kind, in order, inside the run",
    (seed) => {
      const plan = planSchedule({
        seed,
        durationMs: 150_000,
        warmupMs: 25_000,
        cooldownMs: 15_000,
        bodycams: cams,
      });
      const kinds = new Set(plan.map((p) => p.action).filter((a) => FAULT_KINDS.includes(a)));
      expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
      expect(plan.map((p) => p.at)).toEqual([...plan.map((p) => p.at)].sort((x, y) => x - y));
      expect(plan.every((p) => p.at >= 0 && p.at <= 135_000)).toBe(true);
      // one daemon run spans most of the run, so RSS/fd flatness can be measured even in the short form
      const firstKill = plan.find((p) => p.action === "kill-daemon");
      expect(firstKill?.at).toBeGreaterThan(0.6 * 150_000);
    },
  );
});
