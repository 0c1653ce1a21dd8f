import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ControlRequest, ControlResponse } from "../control/control-protocol.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { AuditAppender } from "../evidence/audit-log.js";
import { currentOfficer } from "../evidence/officer.js";
import { type TelemetryInput, telemetryCues, toWebVtt } from "../recorder/telemetry-track.js";
import { isPlainName, looksLikeTraversal, resolveEventFile } from "./event-file.js";
import { EventIndex } from "./event-index.js";
import { listQuerySchema } from "./event-query.js";
import type { ReviewEvent } from "./event-record.js";
import { mediaPlaylist, withDiscontinuities } from "./hls-playlist.js";
import { serveLive } from "./live-view.js";
import { sendMediaFile } from "./media-response.js";
import { ReviewError } from "./review-error.js";
import { REVIEW_CSP, REVIEW_HTML } from "./review-page.js";
import { officerBodySchema, readJson, tagBodySchema } from "./review-request-body.js";
import { ViewAudit } from "./view-audit.js";

export interface ReviewOptions {
  dataDir: string;
  dispatch: (req: ControlRequest) => Promise<ControlResponse>;
  /** The daemon's one audit writer (`event-viewed` entries). */
  audit?: AuditAppender | undefined;
  bus?: Pick<EventBus, "on"> | undefined;
  clock: Clock;
  logger: Logger;
  /** Headers every answer carries (the status page's). */
  headers: Record<string, string>;
}

/** A background index step (see EventIndex.tick): every known event is re-checked every ~25 s at 5,000. */
const TICK_EVERY_MS = 1000;

let hlsScript: Buffer | null = null;
function hlsJs(): Buffer {
  hlsScript ??= readFileSync(createRequire(import.meta.url).resolve("hls.js/dist/hls.min.js"));
  return hlsScript;
}

/**
 * The review tab's routes on the status page (after the page's access check): the page `/review`, the
 * player library `/review/hls.js`, and under `/api/review/`: the event list and details, media files with
 * Range, HLS for events still recording, telemetry as WebVTT, the live view, tagging and officer sign-in.
 */
export class ReviewRoutes {
  readonly index: EventIndex;
  private readonly views: ViewAudit;
  private readonly log: Logger;
  private sweeper: TimerHandle | undefined;
  private offs: (() => void)[] = [];
  private readonly eventsDir: string;

  constructor(private readonly o: ReviewOptions) {
    this.log = o.logger.child({ component: "review" });
    this.eventsDir = join(o.dataDir, "events");
    this.index = new EventIndex(this.eventsDir, this.log);
    this.views = new ViewAudit(o.audit, () => o.clock.monotonic());
  }

  static handles(pathname: string): boolean {
    return pathname === "/review" || pathname.startsWith("/review/") || pathname.startsWith("/api/review/");
  }

  start(): void {
    void this.index.load().catch((err: unknown) => this.log.error({ err }, "review: event index failed"));
    const later = (id: string) =>
      this.o.clock.setTimeout(() => this.index.refresh(id, this.o.clock.now()), 100);
    if (this.o.bus) {
      this.offs.push(
        this.o.bus.on("decision", (d) => {
          if (d.eventId) later(d.eventId);
        }),
        // the manifest is on disk when this is emitted: read it now, so the next list shows it finalized
        this.o.bus.on("event-finalized", (e) => this.index.refresh(e.eventId, this.o.clock.now())),
      );
    }
    let ticking = false;
    this.sweeper = this.o.clock.setInterval(() => {
      if (!this.index.ready || ticking) return;
      ticking = true;
      this.index
        .tick()
        .catch((err: unknown) => this.log.warn({ err }, "review: index update failed"))
        .finally(() => {
          ticking = false;
        });
    }, TICK_EVERY_MS);
  }

  stop(): void {
    this.o.clock.clearInterval(this.sweeper);
    for (const off of this.offs) off();
    this.offs = [];
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      await this.route(req, res, url);
    } catch (err) {
      const status = err instanceof ReviewError ? err.status : 500;
      if (status === 500) this.log.error({ err, path: url.pathname }, "review request failed");
      if (res.headersSent) {
        res.destroy();
        return;
      }
      this.json(res, status, {
        ok: false,
        message: status === 500 ? "internal error" : (err as Error).message,
      });
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = req.url ?? "";
    if (looksLikeTraversal(raw)) {
      this.log.warn(
        { url: raw, client: req.socket.remoteAddress },
        "review: path outside the data directory refused",
      );
      throw new ReviewError(404, "not found");
    }
    const method = req.method ?? "GET";
    const parts = url.pathname
      .split("/")
      .filter((p) => p !== "")
      .map(decodePart);
    const get = method === "GET" || method === "HEAD";
    // /review, /review/hls.js
    if (parts[0] === "review") {
      if (!get) throw new ReviewError(405, `${method} is not allowed here`);
      if (parts.length === 1) return this.page(res);
      if (parts.length === 2 && parts[1] === "hls.js") {
        res.writeHead(200, {
          ...this.o.headers,
          "content-type": "text/javascript; charset=utf-8",
          "cache-control": "private, max-age=3600",
        });
        res.end(hlsJs());
        return;
      }
      throw new ReviewError(404, "not found");
    }
    // /api/review/…
    const [, , kind, id, sub, ...rest] = parts;
    if (kind === "events" && id === undefined && get) return this.list(res, url);
    if (kind === "officer" && id === undefined && method === "POST") return this.officer(req, res);
    if (kind === "live" && id !== undefined && get) {
      if (!isPlainName(id) || rest.length > 0 || sub === undefined) throw new ReviewError(404, "not found");
      if (!isPlainName(sub)) return this.refuse(req, `live file '${sub}'`);
      return serveLive(req, res, {
        ringDir: join(this.o.dataDir, "ring"),
        camera: id,
        name: sub,
        headers: this.o.headers,
        mediaHeaders: this.mediaHeaders(),
      });
    }
    if (kind !== "events" || id === undefined) throw new ReviewError(404, "not found");
    if (!isPlainName(id)) return this.refuse(req, `event id '${id}'`);
    if (sub === "tag" && rest.length === 0 && method === "POST") return this.tag(req, res, id);
    if (!get) throw new ReviewError(405, `${method} is not allowed here`);
    const event = this.event(id);
    if (sub === undefined) return this.json(res, 200, this.detail(event, partOf(url)));
    if (sub === "files" && rest.length === 1) return this.file(req, res, event, rest[0] ?? "", url);
    if (sub === "hls" && rest.length === 2)
      return this.hls(req, res, event, rest[0] ?? "", rest[1] ?? "", url);
    if (sub === "telemetry" && rest.length === 1)
      return this.telemetry(res, event, rest[0] ?? "", partOf(url));
    throw new ReviewError(404, "not found");
  }

  private page(res: ServerResponse): void {
    res.writeHead(200, {
      ...this.o.headers,
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": REVIEW_CSP,
    });
    res.end(REVIEW_HTML);
  }

  private list(res: ServerResponse, url: URL): void {
    const parsed = listQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ReviewError(400, `${issue?.path.join(".") || "query"}: ${issue?.message ?? "invalid"}`);
    }
    this.json(res, 200, { ok: true, loading: !this.index.ready, ...this.index.list(parsed.data) });
  }

  /** The event as indexed; an event not in the index is re-read once (just created, or deleted). */
  private event(id: string): ReviewEvent {
    let ev = this.index.get(id);
    if (!existsSync(join(this.eventsDir, id))) this.index.refresh(id);
    else if (ev?.state !== "finalized") this.index.refreshIfStale(id, 500, this.o.clock.now());
    ev = this.index.get(id);
    if (!ev)
      throw new ReviewError(404, `event ${id} is not on this car (never recorded, or deleted after upload)`);
    return ev;
  }

  /**
   * One event for the player: the record, and per camera its files, the HLS and telemetry addresses and
   * the segments of `part` in file order (wall clock ↔ media time for the one-clock player). `parts` lists
   * the event's parts (more than one after a rollover at maxEventMinutes); `?part=N` picks one.
   */
  private detail(ev: ReviewEvent, part: number): unknown {
    const base = `/api/review/events/${encodeURIComponent(ev.id)}`;
    const parts = [...new Set(ev.cameras.flatMap((c) => c.segments.map((s) => s.part)))].sort(
      (a, b) => a - b,
    );
    return {
      ok: true,
      event: ev,
      part,
      parts: parts.length > 0 ? parts : [1],
      media: ev.cameras.map((c) => ({
        camera: c.name,
        files: c.files.map((f) => ({ ...f, url: `${base}/files/${encodeURIComponent(f.file)}` })),
        hls: `${base}/hls/${encodeURIComponent(c.name)}/index.m3u8`,
        telemetry: `${base}/telemetry/${encodeURIComponent(c.name)}.vtt?part=${part}`,
        segments: c.segments
          .filter((s) => s.part === part)
          .map((s) => ({ startMs: s.startMs, durationMs: s.durationMs })),
      })),
    };
  }

  private async file(req: IncomingMessage, res: ServerResponse, ev: ReviewEvent, name: string, url: URL) {
    if (!isPlainName(name)) return this.refuse(req, `file '${name}'`);
    if (ev.state !== "finalized") {
      throw new ReviewError(
        409,
        `event ${ev.id} is ${ev.state === "recording" ? "still recording" : "being assembled"}: its MP4 files do not exist yet (play it through HLS)`,
      );
    }
    if (!ev.cameras.some((c) => c.files.some((f) => f.file === name))) {
      throw new ReviewError(404, `event ${ev.id} has no file ${name}`);
    }
    const r = resolveEventFile(this.eventsDir, ev.id, [name]);
    if (!r.ok) return this.refuse(req, r.reason);
    this.viewed(req, url, ev.id, name);
    await sendMediaFile(req, res, r.path, r.stat, "video/mp4", this.mediaHeaders());
  }

  private async hls(
    req: IncomingMessage,
    res: ServerResponse,
    ev: ReviewEvent,
    camera: string,
    name: string,
    url: URL,
  ): Promise<void> {
    const cam = ev.cameras.find((c) => c.name === camera);
    if (!cam) throw new ReviewError(404, `event ${ev.id} has no camera ${camera}`);
    if (name === "index.m3u8") {
      this.viewed(req, url, ev.id, `hls:${camera}`);
      const segs = withDiscontinuities(cam.segments.map((s) => ({ ...s, file: s.file })));
      const suffix = url.search;
      const body = mediaPlaylist(
        segs.map((s) => ({
          uri: `${encodeURIComponent(s.file.slice(s.file.lastIndexOf("/") + 1))}${suffix}`,
          durationMs: s.durationMs,
          discontinuity: s.discontinuity,
        })),
        { type: "event", ended: ev.state !== "recording" },
      );
      res.writeHead(200, { ...this.o.headers, "content-type": "application/vnd.apple.mpegurl" });
      res.end(body);
      return;
    }
    if (!isPlainName(name) || !name.endsWith(".ts")) return this.refuse(req, `segment '${name}'`);
    if (!cam.segments.some((s) => s.file === `segments/${camera}/${name}`))
      throw new ReviewError(404, `event ${ev.id} has no segment ${name} of ${camera}`);
    const r = resolveEventFile(this.eventsDir, ev.id, ["segments", camera, name]);
    if (!r.ok) return this.refuse(req, r.reason);
    await sendMediaFile(req, res, r.path, r.stat, "video/mp2t", this.mediaHeaders());
  }

  private telemetry(res: ServerResponse, ev: ReviewEvent, name: string, part: number): void {
    const camera = name.endsWith(".vtt") ? name.slice(0, -4) : "";
    const cam = ev.cameras.find((c) => c.name === camera);
    if (!cam) throw new ReviewError(404, `event ${ev.id} has no camera ${camera}`);
    const segments = cam.segments.filter((s) => s.part === part);
    const cues = telemetryCues(telemetryOf(ev), segments);
    res.writeHead(200, { ...this.o.headers, "content-type": "text/vtt; charset=utf-8" });
    res.end(toWebVtt(cues));
  }

  private async tag(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const body = tagBodySchema.safeParse(await readJson(req));
    if (!body.success)
      throw new ReviewError(400, "expected {category?, caseNumber?, note?, critical?: true}");
    const ev = this.event(id);
    if (ev.state !== "finalized")
      throw new ReviewError(409, `event ${id} is still ${ev.state}: tag it once it is finalized`);
    const t = body.data;
    const response = await this.o.dispatch({
      op: "event-tag",
      eventId: id,
      ...(t.category ? { category: t.category } : {}),
      ...(t.caseNumber ? { caseNumber: t.caseNumber } : {}),
      ...(t.note ? { note: t.note } : {}),
      ...(t.critical ? { critical: true } : {}),
      by: currentOfficer(this.o.dataDir) ?? "status-page",
    });
    this.index.refresh(id, this.o.clock.now());
    if (!response.ok) throw new ReviewError(422, response.error);
    this.log.info({ eventId: id, tags: t }, "review: event tagged");
    this.json(res, 200, { ok: true, event: this.index.get(id), result: response.result });
  }

  private async officer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = officerBodySchema.safeParse(await readJson(req));
    if (!body.success) throw new ReviewError(400, 'expected {"officer": "ID"}');
    const response = await this.o.dispatch({ op: "officer-set", officer: body.data.officer });
    if (!response.ok) throw new ReviewError(422, response.error);
    this.log.info({ officer: body.data.officer }, "review: officer signed in");
    this.json(res, 200, { ok: true, result: response.result });
  }

  private viewed(req: IncomingMessage, url: URL, eventId: string, file: string): void {
    if (req.method === "HEAD") return; // asks about the file, shows nothing
    try {
      this.views.viewed({
        eventId,
        file,
        session: url.searchParams.get("viewer"),
        client: req.socket.remoteAddress ?? "unknown",
        officer: currentOfficer(this.o.dataDir),
      });
    } catch (err) {
      this.log.error({ err, eventId, file }, "review: the view could not be recorded in the audit log");
      throw new ReviewError(503, "viewing is recorded in the audit log, which cannot be written right now");
    }
  }

  private refuse(req: IncomingMessage, what: string): never {
    this.log.warn(
      { url: req.url, client: req.socket.remoteAddress, what },
      "review: request outside the event files refused",
    );
    throw new ReviewError(404, "not found");
  }

  private mediaHeaders(): Record<string, string> {
    const { "cache-control": _c, ...rest } = this.o.headers;
    return rest;
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { ...this.o.headers, "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  }
}

/** `?part=N` (default 1). */
function partOf(url: URL): number {
  const n = Number(url.searchParams.get("part") ?? "1");
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new ReviewError(400, "part: expected a whole number from 1");
  return n;
}

function decodePart(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return "\0";
  }
}

function telemetryOf(ev: ReviewEvent): TelemetryInput {
  return {
    signals: ev.signals.map((s) => ({ atMs: Date.parse(s.at), name: s.name, value: s.value })),
    gps: ev.gpsTrack.map((g) => ({ atMs: Date.parse(g.at), lat: g.lat, lon: g.lon, speedKmh: g.speedKmh })),
    decisions: ev.timeline
      .filter((t) => t.type !== "camera-fault")
      .map((t) => ({ atMs: Date.parse(t.at), type: t.type, reason: t.reason })),
    officer: ev.officer,
  };
}
