// A consistent soak journal (one light-bar event, one cam) for the invariants' tests to break.
import type { DecisionRecord, Journal } from "../../soak/invariants.mjs";
import type { EventManifest } from "../../src/evidence/manifest.js";

export const T = Date.parse("2026-11-26T12:00:00.000Z");
export const iso = (ms: number) => new Date(ms).toISOString();
export const light = { kind: "lightbar", id: "lightbar" } as const;
export const cli = { kind: "cli", id: "cli" } as const;
export const EV = "20261126T120000Z-soak1-abcd";

export function decision(
  type: string,
  at: number,
  origin: DecisionRecord["origin"] = light,
  eventId = EV,
): DecisionRecord {
  return { type, at, origin, eventId, reason: type };
}

export function manifest(over: Partial<EventManifest> = {}): EventManifest {
  return {
    manifestVersion: 1,
    eventId: EV,
    vehicle: { id: "soak1" },
    officer: null,
    software: { name: "camsync", version: "0" },
    startedAt: iso(T),
    endedAt: iso(T + 10_000),
    origin: light,
    timeline: [],
    preEvent: { requestedSeconds: 5, coveredSeconds: 5, audio: "muted" },
    postRollSeconds: 3,
    cameras: [
      {
        name: "front",
        files: [{ file: "front.mp4", sha256: "0".repeat(64), bytes: 10, durationSeconds: 3, part: 1 }],
        segments: [0, 1, 2].map((i) => ({
          file: `s${i}.ts`,
          startedAt: iso(T + i * 1000),
          durationSeconds: 1,
          sha256: "0".repeat(64),
          bytes: 1,
        })),
        gaps: [],
      },
    ],
    bodycams: [{ id: "bc1", commandedAt: iso(T), confirmedAt: iso(T + 50), latencyMs: 50, alerts: [] }],
    gpsTrack: [],
    signals: [],
    ...over,
  };
}

export function journal(over: Partial<Journal> = {}): Journal {
  return {
    vehicleId: "soak1",
    paired: ["bc1"],
    injections: [{ at: T, origin: light, action: "lightbar-on" }],
    authorisedStarts: [{ at: T, origin: light, action: "lightbar" }],
    stops: [{ at: T + 5000, origin: cli, action: "cli-stop" }],
    faults: [],
    fills: [],
    decisions: [
      decision("event-start", T + 60),
      decision("stop-requested", T + 5010, cli),
      decision("event-end", T + 8010, null),
    ],
    daemonRuns: [{ n: 1, startedAt: T - 5000, readyAt: T - 4000, endedAt: null }],
    unexpectedExits: [],
    events: [{ eventId: EV, dir: `/d/events/${EV}`, manifest: manifest() }],
    verify: { code: 0, stdout: "OK", stderr: "" },
    alerts: [],
    activations: [
      { at: T + 70, topic: "camsync/v1/soak1/activation", payload: { eventId: EV, active: true } },
      { at: T + 8020, topic: "camsync/v1/soak1/activation", payload: { eventId: EV, active: false } },
    ],
    bodycamActivations: [{ at: T + 75, id: "bc1", payload: { eventId: EV, active: true } }],
    bodycamRecordings: [{ at: T + 76, id: "bc1", recording: true, eventId: EV }],
    intruderAttempts: [{ at: T + 1000, kind: "bad-credentials", outcome: "refused: closed" }],
    footage: {
      seen: { "/d/events/e/front.mp4": { bytes: 10, firstSeen: T + 9000, final: true } },
      atEnd: { "/d/events/e/front.mp4": { bytes: 10 } },
    },
    resources: [],
    orphans: [],
    finalRetainedActivation: { eventId: EV, active: false },
    ...over,
  };
}
