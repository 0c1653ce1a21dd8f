import { existsSync, readFileSync, statSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { daemonWithPage } from "./daemon-page.js";
import { EventStream, httpRequest } from "./http-client.js";

/**
 * Issue 11 defect 7: on loopback without a token, any local process could stop a hand-started
 * recording through the page, and 16 idle live connections locked the page out (503). Real daemon,
 * its own status page on a free loopback port, plain HTTP clients playing the other local processes.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const page = await daemonWithPage("unit12", cleanups);
  if (!page.url) throw new Error("status page not listening");
  return page;
}

const control = (url: string, action: string, headers: Record<string, string> = {}) =>
  httpRequest(`${url}api/control`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-camsync-request": "1", ...headers },
    body: JSON.stringify({ action }),
  });

async function until(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The `name=value` part of a Set-Cookie header. */
const cookiePair = (setCookie: string[] | undefined) => (setCookie?.[0] ?? "").split(";")[0] ?? "";

describe("status page: control needs the page session (loopback, no token)", () => {
  it("a local process cannot stop a hand-started recording; the page opened from the launch link can", async () => {
    const { daemon, url, launchFile, stop } = await setup();
    const started = await daemon.control.dispatch({
      op: "trigger",
      kind: "start",
      via: "cli",
      reason: "by hand",
    });
    expect(started.ok).toBe(true);
    expect(daemon.status()).toMatchObject({ state: "active" });

    // Another local process: it can read the page, and gets nothing from it that grants control.
    const pageAnswer = await httpRequest(url);
    expect(pageAnswer.status).toBe(200);
    expect(pageAnswer.headers["set-cookie"]).toBeUndefined();
    for (const action of ["stop", "start", "mark"]) {
      const refused = await control(url, action);
      expect(refused.status, action).toBe(403);
      expect(JSON.parse(refused.body).message).toMatch(/session/);
    }
    // Guessing, or a cookie with the right name and a wrong value, does not help.
    const port = new URL(url).port;
    expect((await control(url, "stop", { cookie: `camsync_session_${port}=${"A".repeat(43)}` })).status).toBe(
      403,
    );
    const wrongLink = await httpRequest(`${url}?session=${"A".repeat(43)}`);
    expect(wrongLink.status).toBe(403);
    expect(wrongLink.headers["set-cookie"]).toBeUndefined();
    expect(daemon.status()).toMatchObject({ state: "active" });
    const launch = readFileSync(launchFile, "utf8").trim();
    const secret = new URL(launch).searchParams.get("session") ?? "";
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(pageAnswer.body).not.toContain(secret);

    // The launch file is readable by owner and group only (as the control socket).
    expect(statSync(launchFile).mode & 0o777).toBe(0o640);
    // The kiosk opens the launch link: an HttpOnly, SameSite=Strict cookie, then the bare page.
    const opened = await httpRequest(launch);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe("/");
    const setCookie = opened.headers["set-cookie"]?.[0] ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const stopped = await control(url, "stop", { cookie: cookiePair(opened.headers["set-cookie"]) });
    expect(stopped.status).toBe(200);
    expect(daemon.status()).not.toMatchObject({ state: "active" });

    // The secret lives as long as this start: the launch file goes with the daemon.
    await stop();
    expect(existsSync(launchFile)).toBe(false);
  });
});

describe("status page: live connections", () => {
  it("16 idle live connections do not lock out the page; each client's connections are bounded", async () => {
    const { url, daemon, launchFile } = await setup();
    const streams: EventStream[] = [];
    cleanups.push(() => {
      for (const s of streams) s.close();
    });
    const open = (headers: Record<string, string> = {}) => {
      const s = new EventStream(`${url}api/events`, headers);
      streams.push(s);
      return s;
    };
    const live = () => (daemon.status().components as Record<string, { liveClients: number }>)["status-page"];

    // Another local process opens 16 live connections and keeps them idle.
    const idle = Array.from({ length: 16 }, () => open());
    for (const s of idle) await s.next(() => true).catch(() => {});
    expect(idle.filter((s) => s.status === 503)).toEqual([]);

    // A page opened now gets its live view at once: the newest untrusted connection wins…
    const plain = open();
    await plain.next(() => true).catch(() => {});
    expect(plain.status).toBe(200);
    // …and the page opened from the launch link (trusted) always does.
    const opened = await httpRequest(readFileSync(launchFile, "utf8").trim());
    const cookie = cookiePair(opened.headers["set-cookie"]);
    const pageStream = open({ cookie });
    await pageStream.next(() => true);
    expect(pageStream.status).toBe(200);
    await until("idle untrusted connections ended", () => idle.filter((s) => !s.ended).length <= 3);

    // A client's own connections are bounded too: its newest win, the page's stream stays among them.
    const more = Array.from({ length: 5 }, () => open({ cookie }));
    for (const s of more) await s.next(() => true);
    await until("the client's oldest ended", () => [pageStream, ...more].filter((s) => !s.ended).length <= 4);
    expect([pageStream, ...more].filter((s) => !s.ended)).toHaveLength(4);
    expect(more.slice(-4).every((s) => !s.ended && s.status === 200)).toBe(true);
    expect(live?.()?.liveClients).toBeLessThanOrEqual(16);
    // Live connections still get pushes.
    const before = plain.frames.length;
    await plain.next(() => true, before, 3000);
  });
});
