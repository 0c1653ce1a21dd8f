import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { httpRequest } from "../statuspage/http-client.js";
import { type DemoProcess, startDemo } from "./demo-process.js";

let demo: DemoProcess | undefined;
afterEach(async () => {
  await demo?.cleanup();
  demo = undefined;
});

interface EventsPage {
  items: { eventId: string; clipCount: number; cameras: string[] }[];
}
interface Incident {
  files: { url: string; bytes: number }[];
  clips: { camId: string; link: string; files: { url: string; bytes: number }[] }[];
}

describe("camsync demo: the whole loop", () => {
  it("lights on → the car and both body cams record → offloaded and docked → the station shows the incident with all three angles", async () => {
    demo = await startDemo(180);
    const d = demo;
    const station = /station: +(http:\/\/\S+) \(sign in as (\S+) \/ (\S+)\)/.exec(
      await d.line(/^ {2}station: /, 30_000),
    );
    expect(station).not.toBeNull();
    const [, base, name, password] = station as RegExpExecArray;
    await d.line(/^state=idle .*cams=bc1:online,bc2:online/);
    d.keys("l");
    const active = await d.line(/^state=active .*cams=bc1:confirmed,bc2:confirmed/, 15_000);
    const eventId = /event=(\S+)/.exec(active)?.[1] ?? "";
    await new Promise((r) => setTimeout(r, 4000));
    const mark = d.mark();
    d.keys("B"); // long press: the officer ends the event
    await d.line(/^state=idle /, 30_000, mark);

    const signIn = await httpRequest(`${base}api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = String(signIn.headers["set-cookie"]).split(";")[0] ?? "";
    const get = (path: string, headers: Record<string, string> = {}) =>
      httpRequest(`${base}${path}`, { headers: { cookie, ...headers } });

    // Offload, docking and ingest take a few seconds: the station lists the event with both clips.
    const deadline = Date.now() + 90_000;
    let listed: EventsPage["items"][number] | undefined;
    while (!listed) {
      const page = JSON.parse((await get("api/events")).body) as EventsPage;
      listed = page.items.find((e) => e.eventId === eventId && e.clipCount === 2);
      if (!listed && Date.now() > deadline) throw new Error(`not listed: ${JSON.stringify(page)}`);
      if (!listed) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(listed.cameras).toEqual(["front"]);
    const incident = JSON.parse((await get(`api/incidents/${eventId}`)).body) as Incident;
    expect(incident.clips.map((c) => [c.camId, c.link]).sort()).toEqual([
      ["bc1", "event-id"],
      ["bc2", "event-id"],
    ]);
    // Every angle is playable: its MP4 answers a Range request with the right bytes.
    const urls = [...incident.files, ...incident.clips.flatMap((c) => c.files)];
    expect(urls).toHaveLength(3);
    for (const f of urls) {
      const r = await get(f.url.replace(/^\//, ""), { range: "bytes=0-7" });
      expect(r.status).toBe(206);
      expect(r.headers["content-range"]).toBe(`bytes 0-7/${f.bytes}`);
      expect(r.body.slice(4, 8)).toBe("ftyp"); // an MP4
    }
    // The fleet view has the demo car from its status topic, its upload backlog drained.
    const fleetDeadline = Date.now() + 10_000;
    for (;;) {
      const fleet = JSON.parse((await get("api/fleet")).body) as {
        items: { vehicleId: string; online: boolean; backlog: number | null }[];
      };
      expect(fleet.items).toEqual([expect.objectContaining({ vehicleId: "demo1", online: true })]);
      if (fleet.items[0]?.backlog === 0) break;
      if (Date.now() > fleetDeadline) throw new Error(`backlog not drained: ${JSON.stringify(fleet)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // The car announced the upload on R/upload and the station ingested it on that, not only by listing.
    const announced = readFileSync(join(d.dataDir, "camsync.log"), "utf8")
      .split("\n")
      .filter((l) => l.includes("fleet: upload announced") && l.includes(`"key":"demo1/${eventId}/"`));
    expect(announced).toHaveLength(1);
    expect(await d.quit()).toBe(0);
  }, 180_000);
});
