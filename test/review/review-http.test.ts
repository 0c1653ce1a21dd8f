import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyDataDir } from "../../src/evidence/verify.js";
import { httpRequest } from "../statuspage/http-client.js";
import { type ReviewDaemon, startReviewDaemon } from "./review-daemon.js";

/**
 * The review API against a real daemon (ffmpeg test-pattern cameras) with recorded events: the list, media
 * with HTTP Range, traversal, unfinished and deleted events, the `event-viewed` audit entries, telemetry
 * (MP4 timed-text track and WebVTT) against the values the journal logged, HLS of an event still
 * recording, tagging through the control operations with `verify` clean afterwards.
 */
let rig: ReviewDaemon;
const events: string[] = [];
beforeAll(async () => {
  rig = await startReviewDaemon({ label: "review-http" });
  await new Promise((r) => setTimeout(r, 2500)); // pre-event footage in the ring
  events.push(await rig.record(4, "light bar on"));
  events.push(await rig.record(3, "siren on"));
}, 90_000);
afterAll(async () => {
  await rig?.stop();
});

const api = (path: string) => `${rig.url}api/review/${path}`;
const auditTypes = () =>
  readFileSync(join(rig.dataDir, "audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; eventId?: string; file?: string });

describe("review API on a running daemon", () => {
  it("lists events newest first with trigger, marks, body cams, upload state and paging", async () => {
    const r = await httpRequest(api("events?pageSize=1"));
    expect(r.status).toBe(200);
    const page = JSON.parse(r.body);
    expect(page.total).toBe(2);
    expect(page.events).toHaveLength(1);
    expect(page.events[0]).toMatchObject({
      id: events[1],
      state: "finalized",
      upload: "local",
      trigger: { kind: "cli", reason: "siren on" },
    });
    const second = JSON.parse((await httpRequest(api("events?pageSize=1&page=2"))).body);
    expect(second.events[0].id).toBe(events[0]);
    const detail = JSON.parse((await httpRequest(api(`events/${events[0]}`))).body);
    expect(detail).toMatchObject({ part: 1, parts: [1] });
    expect(detail.media.map((m: { camera: string }) => m.camera)).toEqual(["front", "rear"]);
    expect(detail.media[0].segments.length).toBeGreaterThanOrEqual(5);
    expect((await httpRequest(api(`events/${events[0]}?part=x`))).status).toBe(400);
    const none = JSON.parse((await httpRequest(api("events?trigger=lightbar"))).body);
    expect(none.total).toBe(0);
    expect((await httpRequest(api("events?from=yesterday"))).status).toBe(400);
  });

  it("serves an event MP4 with Range, If-Range and 416, and records one event-viewed per playback", async () => {
    const id = events[0] ?? "";
    const url = `${api(`events/${id}/files/front.mp4`)}?viewer=s1`;
    const signIn = await httpRequest(api("officer"), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-camsync-request": "1",
        cookie: await rig.pageCookie(),
      },
      body: JSON.stringify({ officer: "D-0001" }),
    });
    expect(signIn.status).toBe(200);
    const before = auditTypes().filter((e) => e.type === "event-viewed").length;
    const full = await httpRequest(url);
    expect(full.status).toBe(200);
    const size = Number(full.headers["content-length"]);
    expect(size).toBe(readFileSync(join(rig.dataDir, "events", id, "front.mp4")).length);
    expect(full.headers["accept-ranges"]).toBe("bytes");
    const part = await httpRequest(url, { headers: { range: "bytes=100-199" } });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 100-199/${size}`);
    expect(part.headers["content-length"]).toBe("100");
    const tail = await httpRequest(url, { headers: { range: "bytes=-10" } });
    expect(tail.headers["content-range"]).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
    const past = await httpRequest(url, { headers: { range: `bytes=${size}-` } });
    expect(past.status).toBe(416);
    expect(past.headers["content-range"]).toBe(`bytes */${size}`);
    const etag = String(full.headers.etag);
    const same = await httpRequest(url, { headers: { range: "bytes=0-9", "if-range": etag } });
    expect(same.status).toBe(206);
    const stale = await httpRequest(url, { headers: { range: "bytes=0-9", "if-range": '"other"' } });
    expect(stale.status).toBe(200);
    const byDate = await httpRequest(url, {
      headers: { range: "bytes=0-9", "if-range": String(full.headers["last-modified"]) },
    });
    expect(byDate.status).toBe(206);
    const multi = await httpRequest(url, { headers: { range: "bytes=0-9,20-29" } });
    expect(multi.status).toBe(200); // multi-range is answered with the whole file
    // all of that was one playback (same session, same file): one audit entry
    const viewed = auditTypes().filter((e) => e.type === "event-viewed");
    expect(viewed.length - before).toBe(1);
    expect(viewed.at(-1)).toMatchObject({ eventId: id, file: "front.mp4", officer: "D-0001" });
    await httpRequest(`${api(`events/${id}/files/front.mp4`)}?viewer=s2`, {
      headers: { range: "bytes=0-1" },
    });
    expect(auditTypes().filter((e) => e.type === "event-viewed").length - before).toBe(2);
  });

  it("refuses paths outside the event files with 404, however encoded, symlinks included", async () => {
    const id = events[0] ?? "";
    symlinkSync("/etc/passwd", join(rig.dataDir, "events", id, "link.mp4"));
    for (const path of [
      `events/${id}/files/..%2fmanifest.json`,
      `events/${id}/files/%2e%2e%2f%2e%2e%2faudit.jsonl`,
      `events/${id}/files/%252e%252e%252faudit.jsonl`,
      `events/..%2f..%2f/files/audit.jsonl`,
      `events/${id}/files/link.mp4`,
      `events/${id}/hls/front/..%5c..%5cmanifest.json`,
      `live/..%2fevents/index.m3u8`,
    ]) {
      const r = await httpRequest(api(path));
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain("root:");
    }
  });

  it("answers an unknown event 404 and an event still recording 409, never 500; its HLS playlist grows", async () => {
    expect((await httpRequest(api("events/20200101T000000Z-unit12-dead/files/front.mp4"))).status).toBe(404);
    const id = await rig.startRecording("pursuit");
    await new Promise((r) => setTimeout(r, 3000));
    const mp4 = await httpRequest(api(`events/${id}/files/front.mp4`));
    expect(mp4.status).toBe(409);
    expect(JSON.parse(mp4.body).message).toContain("still recording");
    const playlist = await httpRequest(api(`events/${id}/hls/front/index.m3u8`));
    expect(playlist.status).toBe(200);
    expect(playlist.body).toContain("#EXT-X-PLAYLIST-TYPE:EVENT");
    expect(playlist.body).not.toContain("#EXT-X-ENDLIST");
    // watching it live is a playback too; the player's playlist reloads are the same one
    await httpRequest(`${api(`events/${id}/hls/front/index.m3u8`)}?viewer=live1`);
    await httpRequest(`${api(`events/${id}/hls/front/index.m3u8`)}?viewer=live1`);
    const live = auditTypes().filter((e) => e.type === "event-viewed" && e.eventId === id);
    expect(live.map((e) => e.file)).toEqual(["hls:front", "hls:front"]); // no session, then live1
    const first = /^([^#\s].*\.ts)/m.exec(playlist.body)?.[1] ?? "";
    const seg = await httpRequest(api(`events/${id}/hls/front/${first}`));
    expect(seg.status).toBe(200);
    expect(seg.headers["content-type"]).toBe("video/mp2t");
    rig.daemon.bus.emit("command", {
      kind: "stop",
      origin: { kind: "cli", id: "test" },
      at: Date.now(),
      reason: "x",
    });
  });

  it("writes a 1 Hz telemetry track into each MP4 (mov_text) whose cues match the logged values, also as WebVTT", async () => {
    const id = events[0] ?? "";
    const dir = join(rig.dataDir, "events", id);
    const probe = JSON.parse(
      execFileSync("ffprobe", ["-v", "error", "-show_streams", "-of", "json", join(dir, "front.mp4")], {
        encoding: "utf8",
      }),
    ) as { streams: { codec_type: string; codec_name: string }[] };
    expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toContain("subtitle:mov_text");
    const srt = execFileSync(
      "ffmpeg",
      ["-v", "error", "-i", join(dir, "front.mp4"), "-map", "0:s:0", "-f", "srt", "-"],
      {
        encoding: "utf8",
      },
    );
    if (process.env.REVIEW_DEBUG) console.log(JSON.stringify(srt.slice(0, 600)));
    const cues = srt.split(/\r?\n\r?\n/).filter((c) => c.includes("km/h"));
    expect(cues.length).toBeGreaterThanOrEqual(4);
    // each cue's speed and position are the journal's latest fix at the cue's second
    const journal = readFileSync(join(dir, "journal.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { t: string; at: number; lat: number; lon: number; speedKmh: number });
    const fixes = journal.filter((e) => e.t === "gps");
    let checked = 0;
    for (const cue of cues) {
      const m = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) · ([\d.]+) km\/h .*\r?\nGPS ([\d.]+),([\d.]+)/.exec(cue);
      if (!m) continue;
      const at = Date.parse(m[1] ?? "");
      const fix = fixes.filter((f) => f.at <= at).at(-1);
      expect(fix, cue).toBeDefined();
      expect(Number(m[2])).toBe(fix?.speedKmh);
      expect(Number(m[3])).toBeCloseTo(fix?.lat ?? 0, 5);
      expect(Number(m[4])).toBeCloseTo(fix?.lon ?? 0, 5);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
    const vtt = await httpRequest(api(`events/${id}/telemetry/front.vtt`));
    expect(vtt.status).toBe(200);
    expect(vtt.body.startsWith("WEBVTT")).toBe(true);
    // the same cue texts as the file's track
    const texts = (s: string) => (s.match(/^\d{4}-.*km\/h.*$/gm) ?? []).slice(0, 4);
    expect(texts(vtt.body)).toEqual(texts(srt));
  });

  it("tags an event and signs in an officer through the control operations; verify stays clean", async () => {
    const id = events[0] ?? "";
    // On loopback without a token, a POST needs the page session (the launch link's cookie).
    const cookie = await rig.pageCookie();
    const post = (path: string, body: unknown) =>
      httpRequest(api(path), {
        method: "POST",
        headers: { "content-type": "application/json", "x-camsync-request": "1", cookie },
        body: JSON.stringify(body),
      });
    expect((await post("officer", { officer: "B-4711" })).status).toBe(200);
    const r = await post(`events/${id}/tag`, {
      category: "traffic",
      caseNumber: "2026-0042",
      note: "reviewed",
      critical: true,
    });
    expect(r.status, r.body).toBe(200);
    expect(JSON.parse(r.body).event).toMatchObject({
      category: "traffic",
      caseNumber: "2026-0042",
      critical: true,
    });
    const bad = await post(`events/${id}/tag`, { caseNumber: "no spaces allowed" });
    expect(bad.status).toBe(422);
    const noHeader = await httpRequest(api(`events/${id}/tag`), {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: "{}",
    });
    expect(noHeader.status).toBe(403);
    const noSession = await httpRequest(api(`events/${id}/tag`), {
      method: "POST",
      headers: { "content-type": "application/json", "x-camsync-request": "1" },
      body: JSON.stringify({ note: "by another local process" }),
    });
    expect(noSession.status).toBe(403);
    const list = JSON.parse((await httpRequest(api("events?category=traffic"))).body);
    expect(list.events.map((e: { id: string }) => e.id)).toEqual([id]);
    const amended = auditTypes().filter((e) => e.type === "manifest-amended");
    expect(amended.at(-1)).toMatchObject({ eventId: id });
    const report = await verifyDataDir(rig.dataDir);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("answers a deleted event 404", async () => {
    const id = events[1] ?? "";
    rmSync(join(rig.dataDir, "events", id), { recursive: true });
    const r = await httpRequest(api(`events/${id}/files/front.mp4`));
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).message).toContain("not on this car");
  });
});

describe("live view", () => {
  it("serves each camera's preview picture and a live HLS playlist of the newest ring segments", async () => {
    const jpg = await httpRequest(api("live/front/preview.jpg"));
    expect(jpg.status).toBe(200);
    expect(jpg.headers["content-type"]).toBe("image/jpeg");
    expect(jpg.headers["cache-control"]).toBe("no-store");
    const live = await httpRequest(api("live/front/index.m3u8"));
    expect(live.status).toBe(200);
    expect(live.body).not.toContain("#EXT-X-ENDLIST");
    expect((live.body.match(/\.ts$/gm) ?? []).length).toBe(4);
    expect((await httpRequest(api("live/nosuchcam/preview.jpg"))).status).toBe(404);
  });
});

describe("review on a token-protected status page", () => {
  it("needs the token for the page, the API and media", async () => {
    const t = await startReviewDaemon({
      label: "review-token",
      token: "review-token-0123456789",
      cameras: ["front"],
    });
    try {
      for (const path of [
        "review",
        "api/review/events",
        "review/hls.js",
        "api/review/live/front/index.m3u8",
      ]) {
        expect((await httpRequest(`${t.url}${path}`)).status, path).toBe(401);
      }
      expect((await httpRequest(`${t.url}api/review/events?token=review-token-0123456789`)).status).toBe(200);
      // the page itself carries no secret: it takes the token from its own address for every request
      const page = await httpRequest(`${t.url}review?token=review-token-0123456789`);
      expect(page.status).toBe(200);
      expect(page.body).not.toContain("review-token-0123456789");
      expect(page.headers["content-security-policy"]).toContain("media-src 'self' blob:");
      const js = await httpRequest(`${t.url}review/hls.js`, {
        headers: { authorization: "Bearer review-token-0123456789" },
      });
      expect(js.status).toBe(200);
      expect(js.body).toContain("Hls");
    } finally {
      await t.stop();
    }
  }, 30_000);
});
