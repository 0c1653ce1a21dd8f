import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { controlRequest } from "../../src/control/control-client.js";
import type { EventManifest } from "../../src/evidence/manifest.js";
import type { StatusView } from "../../src/statuspage/status-view.js";
import { httpRequest } from "../statuspage/http-client.js";
import { runCli } from "../support/cli.js";
import { type DemoProcess, startDemo } from "./demo-process.js";

let demo: DemoProcess | undefined;
afterEach(async () => {
  await demo?.cleanup();
  demo = undefined;
});

async function until<T>(what: string, fn: () => T | undefined | null, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function manifestIn(dataDir: string): EventManifest | null {
  const events = join(dataDir, "events");
  if (!existsSync(events)) return null;
  for (const id of readdirSync(events)) {
    const path = join(events, id, "manifest.json");
    if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as EventManifest;
  }
  return null;
}

describe("camsync demo", () => {
  it("records an event from the light bar key in which both body cams confirm, stops on a long press; a body cam's own button starts the next", async () => {
    demo = await startDemo();
    const d = demo;
    expect(d.brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    await d.line(/^state=idle .*cams=bc1:online,bc2:online/);

    d.keys("l"); // the simulated light bar goes on
    await d.line(/^action: light bar on$/);
    const active = await d.line(/^state=active .*cams=bc1:confirmed,bc2:confirmed/, 15_000);
    const eventId = /event=(\S+)/.exec(active)?.[1];

    // The same state through the status page and the control socket.
    const view = JSON.parse((await httpRequest(`${d.pageUrl}api/status`)).body) as StatusView;
    expect(view.recording).toMatchObject({ state: "active", eventId, origin: "lightbar:lightbar" });
    // Started from another directory, the shipped CAN capture and GPS track are still found.
    expect(view.bus.health).toBe("ok");
    expect(view.gps.health).not.toBe("down");
    expect(view.bodycams.map((b) => [b.id, b.confirmed])).toEqual([
      ["bc1", true],
      ["bc2", true],
    ]);
    const status = await controlRequest(join(d.dataDir, "control.sock"), { op: "status" });
    expect(status).toMatchObject({ ok: true, result: { state: "active", eventId } });

    const beforeStop = d.mark();
    d.keys("B"); // long press of the in-car button: the manual stop
    const postRoll = await d.line(/^state=post-roll /, 10_000, beforeStop);
    const ended = await d.line(/^state=idle /, 20_000, beforeStop);
    const at = (text: string) => d.proc.lines.findIndex((l, i) => i >= beforeStop && l.raw === text);
    expect(at(postRoll)).toBeLessThan(at(ended));
    const manifest = await until("the event's manifest", () => manifestIn(d.dataDir), 30_000);
    expect(manifest.eventId).toBe(eventId);
    expect(manifest.origin).toEqual({ kind: "lightbar", id: "lightbar" });
    expect(manifest.bodycams.map((b) => b.id).sort()).toEqual(["bc1", "bc2"]);
    for (const b of manifest.bodycams) expect(b.confirmedAt, `${b.id} confirmed`).not.toBeNull();
    expect(existsSync(join(d.dataDir, "events", manifest.eventId, `${manifest.cameras[0]?.name}.mp4`))).toBe(
      true,
    );

    // What the manifest says holds: `camsync verify` checks hashes and the audit chain.
    expect(runCli(["verify", join(d.dataDir, "events", manifest.eventId)]).code).toBe(0);

    // Body cam 1's own record button starts the car, and the partner's body cam follows.
    const beforeCam = d.mark();
    d.keys("1");
    await d.line(/^action: bc1: officer started recording$/);
    const second = await d.line(/^state=active .*cams=bc1:confirmed,bc2:confirmed/, 15_000, beforeCam);
    expect(second).not.toContain(`event=${eventId} `);
    const byCam = JSON.parse((await httpRequest(`${d.pageUrl}api/status`)).body) as StatusView;
    expect(byCam.recording.origin).toBe("bodycam:bc1");

    expect(await d.quit()).toBe(0);
    expect(
      d.proc.lines.some((l) => l.raw === `camsync demo stopped; events are in ${join(d.dataDir, "events")}`),
    ).toBe(true);
  }, 90_000);

  it("refuses bad options with exit 2", () => {
    for (const args of [["--http-port", "99999"], ["--duration", "0"], ["--mqtt-port", "x"], ["extra"]]) {
      const r = runCli(["demo", "--no-tty", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^camsync demo: /);
    }
  });
});
