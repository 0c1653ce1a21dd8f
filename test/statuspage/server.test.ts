import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/logger.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { createStatusPage } from "../../src/statuspage/status-page.js";
import type { StatusView } from "../../src/statuspage/status-view.js";
import { FakeClock } from "../support/fake-clock.js";
import { daemonWithPage } from "./daemon-page.js";
import { EventStream, httpRequest } from "./http-client.js";

const TOKEN = "page-token-0123456789abcdef";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function config(dataDir: string): Config {
  // The daemon's own page is off: each test builds one on a free port with its own clock.
  const r = validateConfig({
    vehicle: { id: "unit12", name: "Unit 12" },
    dataDir,
    activation: { postRollSeconds: 5 },
    control: { statusPage: { enabled: false } },
  });
  if (!r.ok) throw new Error(r.problems.join("\n"));
  return r.config;
}

/** A real daemon (activation engine, control channel) with the status page on a free loopback port. */
async function setup(page: Partial<Config["control"]["statusPage"]> = {}, clock = systemClock) {
  const dir = mkdtempSync(join(tmpdir(), "camsync-page-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = config(dir);
  const daemon = new Daemon({
    config: cfg,
    logger: silentLogger(),
    clock: systemClock,
    mode: "run",
    env: {},
  });
  await daemon.start();
  cleanups.push(() => daemon.stop());
  const statusPage = createStatusPage({
    config: { ...cfg.control.statusPage, enabled: true, port: 0, ...page },
    status: () => daemon.status(),
    dispatch: (req) => daemon.control.dispatch(req),
    bus: daemon.bus,
    logger: silentLogger(),
    clock,
    vehicleName: cfg.vehicle.name,
    diskPath: dir,
  });
  await statusPage.start();
  cleanups.push(() => statusPage.stop());
  const url = statusPage.url;
  if (!url) throw new Error("status page not listening");
  // The page as the kiosk opens it: from the launch link, which sets the session cookie.
  const opened = await httpRequest(statusPage.launchUrl ?? "");
  sessions.set(url, (opened.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "");
  return { daemon, statusPage, url };
}

/** The page session's cookie, by page URL (control requests from the page carry it). */
const sessions = new Map<string, string>();

const control = (url: string, action: string, headers: Record<string, string> = {}) =>
  httpRequest(`${url}api/control`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-camsync-request": "1",
      cookie: sessions.get(url) ?? "",
      ...headers,
    },
    body: JSON.stringify({ action }),
  });

const view = async (url: string, headers: Record<string, string> = {}) => {
  const r = await httpRequest(`${url}api/status`, { headers });
  expect(r.status).toBe(200);
  return JSON.parse(r.body) as StatusView;
};

describe("status page server", () => {
  it("serves the self-contained page with a strict CSP and no framing", async () => {
    const { url } = await setup();
    const r = await httpRequest(url);
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(r.headers["content-security-policy"]).toMatch(
      /default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-/,
    );
    expect(r.headers["x-frame-options"]).toBe("DENY");
    expect(r.body).toContain('id="btn-start"');
    expect(r.body).not.toMatch(/(src|href)="https?:/);
  });

  it("shows the daemon's state and measured disk space as JSON", async () => {
    const { url } = await setup();
    const v = await view(url);
    expect(v.vehicle).toEqual({ id: "unit12", name: "Unit 12" });
    expect(v.recording.state).toBe("idle");
    expect(v.disk?.totalBytes).toBeGreaterThan(0);
  });

  it("starts, marks and stops through the control channel, as origin cli:status-page", async () => {
    const { url, daemon } = await setup();
    const start = await control(url, "start");
    expect(start.status).toBe(200);
    expect(JSON.parse(start.body)).toMatchObject({
      ok: true,
      state: "active",
      message: expect.stringMatching(/^Recording started/),
    });
    expect(daemon.status()).toMatchObject({ state: "active", origin: { kind: "cli", id: "status-page" } });
    const v = await view(url);
    expect(v.recording).toMatchObject({
      state: "active",
      origin: "cli:status-page",
      reason: "start on the status page",
    });
    expect(v.recent.map((a) => a.kind)).toEqual(["start"]);

    expect(JSON.parse((await control(url, "mark")).body)).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^Marked/),
    });
    const stop = JSON.parse((await control(url, "stop")).body);
    expect(stop).toEqual({
      ok: true,
      message: "Stopping: recording continues for 5 s of post-roll",
      state: "post-roll",
      eventId: v.recording.eventId,
    });
    expect((await view(url)).recent.map((a) => a.kind)).toEqual(["stop", "mark", "start"]);
  });

  it("reports 'nothing done' for a mark while idle", async () => {
    const { url } = await setup();
    const r = await control(url, "mark");
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({
      ok: false,
      message: "Nothing done: mark while idle: no event to mark",
    });
  });

  it("refuses cross-site control requests and foreign Host headers without touching the recording", async () => {
    const { url, daemon } = await setup();
    const noHeader = await httpRequest(`${url}api/control`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"action":"start"}',
    });
    expect(noHeader.status).toBe(403);
    expect((await control(url, "start", { origin: "http://evil.example" })).status).toBe(403);
    const rebound = await httpRequest(url, { headers: { host: "evil.example:8080" } });
    expect(rebound.status).toBe(403);
    expect((await control(url, "start", { host: "evil.example" })).status).toBe(403);
    expect(daemon.status().state).toBe("idle");
  });

  it("rejects malformed control requests", async () => {
    const { url } = await setup();
    const headers = {
      "content-type": "application/json",
      "x-camsync-request": "1",
      cookie: sessions.get(url) ?? "",
    };
    const post = (body: string, h = headers) =>
      httpRequest(`${url}api/control`, { method: "POST", headers: h, body });
    expect((await post('{"action":"format-disk"}')).status).toBe(400);
    expect((await post("not json")).status).toBe(400);
    expect((await post('{"action":"start"}', { ...headers, "content-type": "text/plain" })).status).toBe(415);
    expect((await post(JSON.stringify({ action: "start", reason: "x".repeat(5000) }))).status).toBe(413);
    expect((await httpRequest(`${url}api/control`)).status).toBe(405);
    expect((await httpRequest(`${url}nope`)).status).toBe(404);
  });

  it("requires the token everywhere when one is configured", async () => {
    const { url } = await setup({ token: TOKEN });
    expect((await httpRequest(url)).status).toBe(401);
    expect((await httpRequest(`${url}api/status`)).headers["www-authenticate"]).toMatch(/^Bearer/);
    expect((await httpRequest(`${url}?token=wrong-token-000000`)).status).toBe(401);
    expect((await httpRequest(`${url}?token=${TOKEN}`)).status).toBe(200);
    expect((await view(url, { authorization: `Bearer ${TOKEN}` })).recording.state).toBe("idle");
    expect((await control(url, "start")).status).toBe(401);
    expect((await control(url, "start", { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    const stream = new EventStream(`${url}api/events?token=${TOKEN}`);
    cleanups.push(() => stream.close());
    expect(await stream.next((f) => (f as StatusView).recording.state === "active")).toBeTruthy();
  });

  it("refuses to listen beyond loopback without a token", async () => {
    const page = createStatusPage({
      config: { enabled: true, host: "0.0.0.0", port: 0 },
      status: () => {
        throw new Error("never read: the page does not start");
      },
      dispatch: async () => ({ ok: true }),
      logger: silentLogger(),
      clock: systemClock,
    });
    await expect(page.start()).rejects.toThrow(/requires a token/);
    expect(page.url).toBeNull();
  });

  it("pushes a change over Server-Sent Events at once, without waiting for the next tick", async () => {
    const clock = new FakeClock(); // the page's own timers never fire by themselves here
    const { url } = await setup({}, clock);
    const stream = new EventStream(`${url}api/events`);
    cleanups.push(() => stream.close());
    const first = (await stream.next(() => true)) as StatusView;
    expect(first.recording.state).toBe("idle");
    await control(url, "start");
    clock.advance(0); // nothing pushed lately: at once
    const pushed = (await stream.next(
      (f) => (f as StatusView).recording.state === "active",
      1,
    )) as StatusView;
    expect(pushed.recent[0]?.kind).toBe("start");
    // A change right after a push waits for the end of the 50 ms window (bursts cost one frame).
    const frames = stream.frames.length;
    await control(url, "mark");
    clock.advance(49);
    await new Promise((r) => setTimeout(r, 100));
    expect(stream.frames.length).toBe(frames);
    clock.advance(1);
    const marked = (await stream.next(
      (f) => (f as StatusView).recent[0]?.kind === "mark",
      frames,
    )) as StatusView;
    expect(marked.recording.state).toBe("active");
  });

  it("pushes the status every second and ends streams and timers on stop", async () => {
    const clock = new FakeClock();
    const { url, statusPage } = await setup({}, clock);
    const stream = new EventStream(`${url}api/events`);
    cleanups.push(() => stream.close());
    await stream.next(() => true);
    expect(statusPage.status()).toMatchObject({ liveClients: 1 });
    clock.advance(1000);
    await stream.next(() => true, 1);
    clock.advance(1000);
    await stream.next(() => true, 2);
    await statusPage.stop();
    await stream.end();
    expect(clock.timerCount).toBe(0);
    expect(statusPage.status()).toMatchObject({ url: null, liveClients: 0 });
  });
});

describe("status page in the daemon", () => {
  it("is built by the daemon from control.statusPage and serves its status", async () => {
    const page = await daemonWithPage("unit7", cleanups);
    expect(page?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const v = await view(page?.url ?? "");
    expect(v).toMatchObject({ vehicle: { id: "unit7" }, recording: { state: "idle" } });
  });
});
