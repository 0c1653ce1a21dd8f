import { beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/support/fake-clock.js";
import { FakeMqttLink } from "../../test/support/fake-mqtt-link.js";
import type { ActivationPayload } from "./payloads.js";
import { ReferenceBodycam } from "./reference-bodycam.js";

const R = "camsync/v1/unit12";
const EV = "20261126T142233Z-unit12-3f9a";
/**
 * The cam has read what arrived (its read is queued on the next turn before ours) and answered it: our timer is
 * set after its millisecond answer timer and runs later, so it expires after it however late this turn runs (a
 * fixed 5 ms wait set before the read lost that race on a loaded CI machine).
 */
const tick = async () => {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 5));
};

const activation = (over: Partial<ActivationPayload> = {}): ActivationPayload => ({
  v: 1,
  eventId: EV,
  active: true,
  origin: { kind: "lightbar", id: "lightbar" },
  reason: "lights",
  at: "2026-11-26T14:22:33.123Z",
  seq: 5,
  ...over,
});

describe("ReferenceBodycam (device side of protocol v1, fake link)", () => {
  let link: FakeMqttLink;
  let cam: ReferenceBodycam;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = new FakeClock();
    link = new FakeMqttLink();
    cam = new ReferenceBodycam(
      { id: "bc1", vehicleId: "unit12", url: "mqtt://x", clock, battery: 90 },
      (o) => {
        expect(o.will).toEqual({
          topic: `${R}/bodycam/bc1/status`,
          payload: '{"v":1,"online":false,"recording":false,"eventId":null}',
          retain: true,
        });
        expect(o.subscriptions).toContain(`${R}/activation`);
        return link;
      },
    );
    const started = cam.start();
    link.goUp();
    await started;
  });

  const statuses = () =>
    link.sent(`${R}/bodycam/bc1/status`) as { recording: boolean; eventId: string | null }[];

  it("publishes its status on connect, records the car's activation and confirms with the event id", async () => {
    expect(statuses()).toEqual([
      expect.objectContaining({ v: 1, online: true, recording: false, eventId: null, battery: 90 }),
    ]);
    link.deliver(`${R}/activation`, activation(), true);
    await tick();
    expect(cam.recording).toBe(true);
    expect(statuses().at(-1)).toMatchObject({ recording: true, eventId: EV });
    expect(link.published.find((p) => p.topic.endsWith("/status"))?.retain).toBe(true);
  });

  it("a cam stopped before its answer was due does not answer afterwards", async () => {
    link.deliver(`${R}/activation`, activation());
    await new Promise((r) => setImmediate(r)); // read (next turn), answer still a millisecond away
    await cam.stop();
    const atStop = link.published.length;
    await tick();
    expect(cam.recording).toBe(false);
    expect(link.published.slice(atStop)).toEqual([]);
  });

  it("confirms again on a re-sent activation, stops on the event's end, ignores older activations of it", async () => {
    link.deliver(`${R}/activation`, activation());
    link.deliver(`${R}/activation`, activation({ seq: 6, origin: { kind: "can", id: "speed" } }));
    link.deliver(`${R}/activation`, activation({ active: false, seq: 7 }));
    link.deliver(`${R}/activation`, activation({ seq: 6 })); // a stale copy arriving late
    await tick();
    expect(statuses().map((s) => [s.recording, s.eventId])).toEqual([
      [false, null],
      [true, EV],
      [true, EV],
      [false, null],
    ]);
    expect(cam.recording).toBe(false);
  });

  it("the officer's button starts it and tells the car; the car's echo gives it the event id", async () => {
    cam.pressStart();
    expect(link.sent(`${R}/bodycam/bc1/activation`)).toEqual([
      { v: 1, active: true, at: new Date(clock.now()).toISOString() },
    ]);
    expect(statuses().at(-1)).toMatchObject({ recording: true, eventId: null });
    link.deliver(`${R}/activation`, activation({ origin: { kind: "bodycam", id: "bc1" } }));
    await tick();
    expect(cam.eventId).toBe(EV);
    cam.pressStop();
    expect(link.sent(`${R}/bodycam/bc1/activation`).at(-1)).toMatchObject({ active: false });
    expect(cam.recording).toBe(false);
  });

  it("reports invalid activations instead of acting on them, and drains its battery while recording", async () => {
    const invalid: string[] = [];
    cam.on("invalid", (why) => invalid.push(why));
    link.deliver(`${R}/activation`, { ...activation(), v: 2 });
    link.deliver(`${R}/activation`, "{{{");
    await tick();
    expect(invalid.map((w) => w.split(":")[0])).toEqual(["unsupported-version", "not-json"]);
    expect(cam.recording).toBe(false);
    link.deliver(`${R}/activation`, activation());
    await tick();
    clock.advance(60 * 60_000);
    expect(cam.battery).toBeCloseTo(90 - 30, 0);
  });
});
