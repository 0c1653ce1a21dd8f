import { statfsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../config/schema.js";
import type { ControlRequest, ControlResponse } from "../control/control-protocol.js";
import type { DaemonStatus, StatusPageStatus } from "../control/daemon-status.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Component } from "../core/component.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { AuditAppender } from "../evidence/audit-log.js";
import { ReviewRoutes } from "../review/review-routes.js";
import { CUSTOM_HEADER, checkAccess } from "./access.js";
import { ActivityLog } from "./activity.js";
import { controlOutcome, pageControlSchema } from "./control-outcome.js";
import { LiveStreams } from "./live-streams.js";
import { isLoopbackHost } from "./loopback.js";
import { PAGE_CSP, PAGE_HTML } from "./page.js";
import { PageSession, SESSION_PARAM } from "./page-session.js";
import { Readings } from "./readings.js";
import { header, readBody } from "./request-body.js";
import { type StatusView, statusView } from "./status-view.js";

export type StatusPageConfig = Config["control"]["statusPage"];

export interface StatusPageOptions {
  config: StatusPageConfig;
  /** The daemon's status snapshot (`Daemon.status()`). */
  status: () => DaemonStatus;
  /** The control channel's in-process entry (`ControlServer.dispatch`): same handlers and stop policy. */
  dispatch: (req: ControlRequest) => Promise<ControlResponse>;
  logger: Logger;
  clock: Clock;
  /** Decisions, confirmations and alerts for the "recent events" list and immediate pushes. */
  bus?: Pick<EventBus, "on">;
  vehicleName?: string | undefined;
  /** Paired body cams' names from the config, by id. */
  bodycamNames?: Readonly<Record<string, string>> | undefined;
  /** Free space is measured on the file system holding this path (the data dir). */
  diskPath?: string | undefined;
  /** The data dir: enables the review tab (`/review`, `/api/review/…`). */
  dataDir?: string | undefined;
  /** The daemon's one audit writer, for the review tab's `event-viewed` entries. */
  audit?: AuditAppender | undefined;
  /** Where to write this start's launch link (page session), e.g. `{dataDir}/status-page.url`. */
  launchFile?: string | undefined;
}

const PUSH_EVERY_MS = 1000;
/** Changes arriving together (a start and its confirmations) are pushed once. */
const PUSH_COALESCE_MS = 50;
const MAX_BODY_BYTES = 4096;
const DISK_EVERY_MS = 5000;

const COMMON_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
};

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The in-car status page: a small HTTP server for the mobile data terminal. `GET /` is the page,
 * `GET /api/status` the view as JSON, `GET /api/events` the same view as Server-Sent Events (every second
 * and on every change), `POST /api/control` Start / Mark / Stop through the daemon's control channel.
 */
export class StatusPage implements Component {
  readonly name = "status-page";
  private server: Server | undefined;
  private readonly live = new LiveStreams<ServerResponse>();
  private session: PageSession | undefined;
  private readonly activity: ActivityLog;
  private readonly readings = new Readings();
  private unsubscribe: (() => void) | undefined;
  private ticker: TimerHandle | undefined;
  private pending: TimerHandle | undefined;
  private disk: { freeBytes: number; totalBytes: number } | null = null;
  private diskAt = Number.NEGATIVE_INFINITY;
  private boundUrl: string | null = null;
  private lastPushAt = Number.NEGATIVE_INFINITY;
  private readonly log: Logger;
  private readonly review: ReviewRoutes | undefined;

  constructor(private readonly opts: StatusPageOptions) {
    this.log = opts.logger.child({ component: "status-page" });
    this.activity = new ActivityLog(20, () => this.schedulePush());
    if (opts.dataDir !== undefined) {
      this.review = new ReviewRoutes({
        dataDir: opts.dataDir,
        dispatch: opts.dispatch,
        audit: opts.audit,
        bus: opts.bus,
        clock: opts.clock,
        logger: opts.logger,
        headers: COMMON_HEADERS,
      });
    }
  }

  /** The link that gives a page control (this start's session), for the demo and tests in-process. */
  get launchUrl(): string | null {
    return this.boundUrl && this.session ? this.session.launchUrl(this.boundUrl) : null;
  }

  /** `http://host:port/` once listening (null before start or when disabled). */
  get url(): string | null {
    return this.boundUrl;
  }

  async start(): Promise<void> {
    const { config, clock } = this.opts;
    if (!config.enabled) return;
    if (config.token === undefined && !isLoopbackHost(config.host)) {
      throw new Error(`the status page on non-loopback host ${config.host} requires a token`);
    }
    const server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => this.fail(res, err));
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (err) => this.log.error({ err }, "status page server error"));
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    this.boundUrl = `http://${host}:${port}/`;
    this.session = new PageSession(port);
    if (this.opts.launchFile) {
      try {
        this.session.writeLaunchFile(this.opts.launchFile, this.boundUrl);
      } catch (err) {
        this.log.error({ err, path: this.opts.launchFile }, "status page launch link not written");
      }
    }
    const bus = this.opts.bus;
    if (bus) {
      const offs = [this.activity, this.readings].map((r) => r.subscribe((event, fn) => bus.on(event, fn)));
      this.unsubscribe = () => {
        for (const off of offs) off();
      };
    }
    this.ticker = clock.setInterval(() => this.push(), PUSH_EVERY_MS);
    this.review?.start();
    this.log.info({ url: this.boundUrl, tokenRequired: config.token !== undefined }, "status page listening");
  }

  async stop(): Promise<void> {
    const { clock } = this.opts;
    clock.clearInterval(this.ticker);
    clock.clearTimeout(this.pending);
    this.ticker = undefined;
    this.pending = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.review?.stop();
    for (const s of this.live.streams()) s.end();
    this.live.clear();
    if (this.opts.launchFile) PageSession.forget(this.opts.launchFile);
    this.session = undefined;
    const server = this.server;
    this.server = undefined;
    this.boundUrl = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  status(): StatusPageStatus {
    return {
      url: this.boundUrl,
      liveClients: this.live.size,
      token: this.opts.config.token !== undefined,
    };
  }

  /** The page's view of the daemon right now. */
  view(): StatusView {
    const { clock } = this.opts;
    const now = clock.now();
    let status: DaemonStatus | null;
    try {
      status = this.opts.status();
    } catch (err) {
      this.log.error({ err }, "daemon status unavailable");
      status = null;
    }
    const eventId = status?.eventId ?? null;
    return statusView({
      status,
      now,
      vehicleName: this.opts.vehicleName,
      bodycamNames: this.opts.bodycamNames,
      activity: this.activity.recent,
      confirmations: this.activity.confirmationsFor(eventId),
      eventReason: this.activity.reasonFor(eventId),
      disk: this.measureDisk(),
      signals: this.readings.signals,
      fix: this.readings.gps,
    });
  }

  private measureDisk(): { freeBytes: number; totalBytes: number } | null {
    const { diskPath, clock } = this.opts;
    if (!diskPath) return null;
    const now = clock.monotonic();
    if (now - this.diskAt < DISK_EVERY_MS) return this.disk;
    this.diskAt = now;
    try {
      const fs = statfsSync(diskPath);
      this.disk = { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
    } catch {
      this.disk = null;
    }
    return this.disk;
  }

  /**
   * Push soon after a change: at once (next turn of the event loop) when nothing was pushed in the last
   * PUSH_COALESCE_MS, else at the end of that window, so a burst (a start and its confirmations) costs
   * one or two frames.
   */
  private schedulePush(): void {
    if (this.pending || this.live.size === 0) return;
    const { clock } = this.opts;
    const wait = Math.max(0, this.lastPushAt + PUSH_COALESCE_MS - clock.monotonic());
    this.pending = clock.setTimeout(() => {
      this.pending = undefined;
      this.push();
    }, wait);
  }

  private push(): void {
    if (this.live.size === 0) return;
    this.lastPushAt = this.opts.clock.monotonic();
    const frame = `data: ${JSON.stringify(this.view())}\n\n`;
    for (const s of this.live.streams()) s.write(frame);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://status-page.invalid");
    const verdict = checkAccess(
      {
        method: req.method ?? "GET",
        host: req.headers.host,
        authorization: req.headers.authorization,
        queryToken: url.searchParams.get("token"),
        origin: req.headers.origin,
        customHeader: header(req, CUSTOM_HEADER),
        session: this.session?.inCookies(req.headers.cookie) ?? false,
      },
      this.opts.config.token,
    );
    if (!verdict.ok) {
      if (verdict.status === 401) res.setHeader("www-authenticate", 'Bearer realm="camsync"');
      throw new RequestError(verdict.status, verdict.message);
    }
    if (req.method === "GET" && url.searchParams.has(SESSION_PARAM)) {
      this.establishSession(url, res);
      return;
    }
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /":
      case "GET /index.html":
        res.writeHead(200, {
          ...COMMON_HEADERS,
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": PAGE_CSP,
        });
        res.end(PAGE_HTML);
        return;
      case "GET /api/status":
        this.json(res, 200, this.view());
        return;
      case "GET /api/events":
        this.openStream(req, res);
        return;
      case "POST /api/control":
        await this.control(req, res);
        return;
      default:
        if (this.review && ReviewRoutes.handles(url.pathname)) {
          await this.review.handle(req, res, url);
          return;
        }
        if (["/", "/index.html", "/api/status", "/api/events", "/api/control"].includes(url.pathname)) {
          throw new RequestError(405, `${req.method} is not allowed on ${url.pathname}`);
        }
        throw new RequestError(404, "not found");
    }
  }

  /** The launch link: set the session cookie and go to the bare page (the secret leaves the address bar). */
  private establishSession(url: URL, res: ServerResponse): void {
    if (!this.session?.matches(url.searchParams.get(SESSION_PARAM))) {
      throw new RequestError(
        403,
        "this session link is not (or no longer) valid: open the current launch link",
      );
    }
    url.searchParams.delete(SESSION_PARAM);
    res.writeHead(303, {
      ...COMMON_HEADERS,
      "set-cookie": this.session.cookie(),
      location: `/${url.search}`,
    });
    res.end();
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    const trusted =
      this.opts.config.token !== undefined || (this.session?.inCookies(req.headers.cookie) ?? false);
    const admission = this.live.admit(res, { address: req.socket.remoteAddress ?? "", trusted });
    if (!admission.admitted) throw new RequestError(503, admission.reason);
    for (const old of admission.evict) old.end();
    res.writeHead(200, {
      ...COMMON_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write(`retry: 2000\n\ndata: ${JSON.stringify(this.view())}\n\n`);
    const drop = () => this.live.remove(res);
    req.on("close", drop);
    res.on("error", drop);
  }

  private async control(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
      throw new RequestError(415, "expected content-type: application/json");
    }
    const body = await readBody(req, MAX_BODY_BYTES, () => new RequestError(413, "body too large"));
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      throw new RequestError(400, "body is not JSON");
    }
    const parsed = pageControlSchema.safeParse(raw);
    if (!parsed.success) throw new RequestError(400, `expected {"action": "start" | "mark" | "stop"}`);
    const { action, reason } = parsed.data;
    const response = await this.opts.dispatch({
      op: "trigger",
      kind: action,
      via: "status-page",
      reason: reason ?? `${action} on the status page`,
    });
    const outcome = controlOutcome(action, response);
    this.log.info({ action, outcome }, `status page: ${action}: ${outcome.message}`);
    this.json(res, response.ok ? 200 : 502, outcome);
    this.schedulePush();
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { ...COMMON_HEADERS, "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, err: unknown): void {
    const status = err instanceof RequestError ? err.status : 500;
    if (status === 500) this.log.error({ err }, "status page request failed");
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

export function createStatusPage(opts: StatusPageOptions): StatusPage {
  return new StatusPage(opts);
}
