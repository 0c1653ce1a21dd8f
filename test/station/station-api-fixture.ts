import { execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Router } from "../../src/station/http-router.js";
import { registerWebPages } from "../../src/station/web/web-routes.js";

/**
 * The Station API (docs/station.md) answered from fixed data, with real MP4 files made by ffmpeg, to
 * test the web pages in Chromium on their own. The real station serves the same routes (test/station/
 * e2e.test.ts runs the pages against it).
 */
export const EVENT_ID = "20261204T100000Z-unit12-3f9a";

/** The stand-in station's signing key: a fresh Ed25519 key, fingerprint = SHA-256 of its DER form. */
export const STATION_KEY = (() => {
  const { publicKey } = generateKeyPairSync("ed25519");
  return {
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    fingerprint: createHash("sha256")
      .update(publicKey.export({ type: "spki", format: "der" }))
      .digest("hex"),
  };
})();
const T = Date.parse("2026-12-04T10:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

/** An MP4 test pattern with its label burned in. */
export function makeVideo(path: string, label: string, seconds: number, size = "320x180"): void {
  execFileSync("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${size}:rate=10`,
    "-t",
    String(seconds),
    "-vf",
    `drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf:fontsize=14:fontcolor=white:box=1:boxcolor=black:x=6:y=h-th-6:text='${label} %{pts\\:hms}'`,
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-g",
    "10",
    "-movflags",
    "+faststart",
    "-y",
    path,
  ]);
}

const OLDER_EVENT = {
  eventId: "20261203T080000Z-unit7-0c0c",
  vehicleId: "unit7",
  officer: "D-0007",
  startedAt: "2026-12-03T08:00:00.000Z",
  endedAt: "2026-12-03T08:03:00.000Z",
  trigger: { kind: "button", id: "button" },
  category: null,
  caseNumber: null,
  critical: false,
  notes: "",
  cameras: ["front", "rear"],
  clipCount: 0,
  bytes: 1,
};

export function incidentFixture() {
  const gps = Array.from({ length: 31 }, (_, i) => ({
    at: iso(T - 10_000 + i * 1000),
    lat: 48.137 + i * 0.00004,
    lon: 11.575 + i * 0.00025,
    speedKmh: 40 + i * 1.5,
  }));
  const summary = {
    eventId: EVENT_ID,
    vehicleId: "unit12",
    officer: "D-0001",
    startedAt: iso(T),
    endedAt: iso(T + 20_000),
    trigger: { kind: "lightbar", id: "lightbar" },
    category: "traffic-stop",
    caseNumber: "2026-00417",
    critical: false,
    notes: "stopped a grey van on Leopoldstrasse",
    cameras: ["front"],
    clipCount: 2,
    bytes: 1234567,
  };
  return {
    summary,
    incident: {
      event: {
        ...summary,
        clockOffsetMs: 0,
        manifestSha256: "a".repeat(64),
        auditState: "verified",
        timeline: [
          {
            at: iso(T),
            type: "event-start",
            origin: { kind: "lightbar", id: "lightbar" },
            reason: "light bar on",
            seq: 1,
          },
          {
            at: iso(T + 8000),
            type: "event-join",
            origin: { kind: "can", id: "speeding" },
            reason: "speed above 120 km/h",
            seq: 2,
          },
          {
            at: iso(T + 15_000),
            type: "event-stop",
            origin: { kind: "button", id: "button" },
            reason: "long press",
            seq: 3,
          },
        ],
        gpsTrack: gps,
        signals: [
          { at: iso(T), name: "EmergencyLights", value: "On" },
          { at: iso(T + 16_000), name: "EmergencyLights", value: "Off" },
        ],
        bodycamsCommanded: [],
      },
      files: [
        {
          camera: "front",
          file: "front.mp4",
          url: `/media/events/${EVENT_ID}/front.mp4`,
          sha256: "b".repeat(64),
          bytes: 1,
          durationSeconds: 30,
          part: 1,
          startedAt: iso(T - 10_000),
        },
      ],
      clips: [
        {
          clipId: "20261204T100002Z-bc1-0a0a",
          camId: "bc1",
          officer: "D-0001",
          link: "event-id",
          startedAt: iso(T + 2400),
          endedAt: iso(T + 17_400),
          clockOffsetMs: 400,
          alignedStart: iso(T + 2000),
          alignedEnd: iso(T + 17_000),
          files: [
            {
              file: "clip.mp4",
              url: "/media/clips/20261204T100002Z-bc1-0a0a/clip.mp4",
              sha256: "c".repeat(64),
              bytes: 1,
              durationSeconds: 15,
            },
          ],
        },
        {
          clipId: "20261204T100005Z-bc2-0b0b",
          camId: "bc2",
          officer: "D-0002",
          link: "time",
          startedAt: iso(T + 5000),
          endedAt: iso(T + 17_000),
          clockOffsetMs: 0,
          alignedStart: iso(T + 5000),
          alignedEnd: iso(T + 17_000),
          files: [
            {
              file: "clip.mp4",
              url: "/media/clips/20261204T100005Z-bc2-0b0b/clip.mp4",
              sha256: "d".repeat(64),
              bytes: 1,
              durationSeconds: 12,
            },
          ],
        },
      ],
      unlinkedClips: [],
      caseNumber: "2026-00417",
    },
  };
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string): void {
  const size = statSync(path).size;
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
  if (!m) {
    res.writeHead(200, { "content-type": "video/mp4", "content-length": size, "accept-ranges": "bytes" });
    createReadStream(path).pipe(res);
    return;
  }
  const start = m[1] ? Number(m[1]) : size - Number(m[2]);
  const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  res.writeHead(206, {
    "content-type": "video/mp4",
    "content-length": end - start + 1,
    "content-range": `bytes ${start}-${end}/${size}`,
    "accept-ranges": "bytes",
  });
  createReadStream(path, { start, end }).pipe(res);
}

/** Serves the pages (webRoutes) and the fixture API; one user `alice` / `correct horse battery`. */
export async function startFixtureStation(
  mediaDir: string,
): Promise<{ url: string; server: Server; requests: string[] }> {
  const { summary, incident } = incidentFixture();
  const sessions = new Set<string>();
  const requests: string[] = [];
  const signedIn = (req: IncomingMessage) =>
    sessions.has(/camsync_session=([^;]+)/.exec(req.headers.cookie ?? "")?.[1] ?? "");
  const pages = new Router();
  registerWebPages(pages, STATION_KEY);
  const userOf = async (token: string) =>
    sessions.has(token) ? { name: "alice", role: "supervisor" as const } : null;
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = createServer(async (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (await pages.handle(req, res, userOf)) return;
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "POST" && url.pathname === "/api/session") {
      let body = "";
      for await (const c of req) body += c;
      const { name, password } = JSON.parse(body) as { name: string; password: string };
      if (name !== "alice" || password !== "correct horse battery")
        return json(res, 401, { error: "wrong name or password" });
      const id = `s${sessions.size + 1}`;
      sessions.add(id);
      res.setHeader("set-cookie", `camsync_session=${id}; HttpOnly; SameSite=Strict; Path=/`);
      return json(res, 200, { user: { name, role: "supervisor" } });
    }
    if (!signedIn(req)) return json(res, 401, { error: "sign in" });
    if (url.pathname === "/api/me") return json(res, 200, { name: "alice", role: "supervisor" });
    if (url.pathname === "/api/events") {
      // Unfiltered: two pages of one event each (an older event behind the cursor "p2").
      const officer = url.searchParams.get("officer");
      if (officer) return json(res, 200, { items: officer === summary.officer ? [summary] : [], next: null });
      if (url.searchParams.get("after") === "p2") return json(res, 200, { items: [OLDER_EVENT], next: null });
      return json(res, 200, { items: [summary], next: "p2" });
    }
    if (req.method === "DELETE" && url.pathname.startsWith(`/api/incidents/${EVENT_ID}/clips/`)) {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === `/api/incidents/${EVENT_ID}`) return json(res, 200, incident);
    if (url.pathname === "/api/fleet")
      return json(res, 200, {
        items: [
          {
            vehicleId: "unit12",
            online: true,
            state: "active",
            eventId: EVENT_ID,
            recording: true,
            lastSeen: new Date().toISOString(),
            backlog: 1,
            status: {
              backlog: { events: 1, oldestStartedAt: new Date(Date.now() - 7_200_000).toISOString() },
            },
          },
          {
            vehicleId: "unit7",
            online: false,
            state: "idle",
            eventId: null,
            recording: false,
            lastSeen: new Date(Date.now() - 3_600_000).toISOString(),
            backlog: 0,
            status: {},
          },
        ],
      });
    const media: Record<string, string> = {
      [`/media/events/${EVENT_ID}/front.mp4`]: "front.mp4",
      "/media/clips/20261204T100002Z-bc1-0a0a/clip.mp4": "bc1.mp4",
      "/media/clips/20261204T100005Z-bc2-0b0b/clip.mp4": "bc2.mp4",
    };
    const file = media[url.pathname];
    if (file) return sendFile(req, res, join(mediaDir, file));
    json(res, 404, { error: "not found" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}
