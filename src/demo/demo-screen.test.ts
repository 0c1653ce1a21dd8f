import { describe, expect, it } from "vitest";
import type { StatusView } from "../statuspage/status-view.js";
import { demoScreen, stateKey, stateLine } from "./demo-screen.js";

const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);
const view = (
  over: Partial<StatusView["recording"]> = {},
  bodycams: StatusView["bodycams"] = [],
): StatusView => ({
  v: 1,
  vehicle: { id: "demo1", name: "Demo car" },
  now: NOW,
  recording: {
    state: "active",
    eventId: "20261126T135853Z-demo1-ab12",
    startedAt: NOW - 67_000,
    postRollEndsAt: null,
    origin: "lightbar:lightbar",
    reason: "light bar on",
    ...over,
  },
  cameras: [{ name: "front", health: "ok", detail: null }],
  bodycams,
  bus: { health: "ok", detail: null, signals: [{ name: "VehicleSpeed", value: "128.1 km/h" }] },
  mqtt: { health: "ok", detail: null },
  gps: { health: "unknown", detail: null, fix: null, speedKmh: null },
  disk: null,
  alerts: [],
  recent: [],
  daemonOk: true,
});
const cam = (
  id: string,
  confirmed: boolean | null,
  online = true,
  missed = false,
): StatusView["bodycams"][number] => ({
  id,
  name: id === "bc1" ? "Officer D-0001" : null,
  online,
  recording: confirmed === true,
  confirmed,
  missed,
  latencyMs: confirmed ? 42 : null,
  battery: 80,
});

describe("demo screen", () => {
  it("prints one state line with elapsed time and each body cam's confirmation", () => {
    expect(stateLine(view({}, [cam("bc1", true), cam("bc2", false, true, true)]))).toBe(
      "state=active event=20261126T135853Z-demo1-ab12 elapsed=00:01:07 cams=bc1:confirmed,bc2:unconfirmed cameras=front:ok bus=ok alerts=0",
    );
    expect(
      stateLine(view({ state: "idle", eventId: null, startedAt: null }, [cam("bc1", null, false)])),
    ).toBe("state=idle event=- elapsed=--:--:-- cams=bc1:offline cameras=front:ok bus=ok alerts=0");
  });

  it("does not count the ticking clock as a change", () => {
    const a = view({ startedAt: NOW - 1000 });
    const b = view({ startedAt: NOW - 9000 });
    expect(stateLine(a)).not.toBe(stateLine(b));
    expect(stateKey(a)).toBe(stateKey(b));
  });

  it("shows the state, reason, body cams, alerts and keys on the full screen", () => {
    const v = view({}, [cam("bc1", true), cam("bc2", false, true, true), cam("bc3", false)]);
    v.alerts = [
      { code: "bodycam-unconfirmed", severity: "critical", message: "bc2 did not confirm", at: null },
    ];
    const screen = demoScreen(
      v,
      { lights: true, bodycams: ["bc1", "bc2"] },
      { page: "http://127.0.0.1:8080/", broker: "mqtt://127.0.0.1:1883" },
      false,
    );
    expect(screen).toContain(" RECORDING   00:01:07  event 20261126T135853Z-demo1-ab12");
    expect(screen).toContain("light bar on");
    expect(screen).toMatch(/bc1 \(Officer D-0001\) +confirmed in 42 ms {2}REC {2}battery 80%/);
    expect(screen).toMatch(/bc2 +unconfirmed/);
    expect(screen).toMatch(/bc3 +waiting/);
    expect(screen).toContain("CRITICAL bc2 did not confirm");
    expect(screen).toContain("Light bar (simulated) ON");
    expect(screen).toContain("CAN bus  ok  VehicleSpeed 128.1 km/h");
    expect(screen).toContain("1 bc1's record button   2 bc2's record button   q quit");
    expect(screen).not.toContain("\x1b[");
  });
});
