import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { AuthError, type AuthService, type SignInResult } from "./auth-service.js";
import type { Queryable } from "./db.js";
import { FleetRepository } from "./fleet-repository.js";
import {
  HttpError,
  type RequestContext,
  type Router,
  readJson,
  SESSION_COOKIE,
  sendJson,
} from "./http-router.js";
import { ConflictError, type IncidentService, NotFoundError } from "./incident-service.js";
import { ObjectMissingError, type ObjectStore } from "./object-store.js";
import { GateFullError } from "./password-gate.js";
import type { QuarantineRepository } from "./quarantine-repository.js";
import { SearchInputError, type SearchService } from "./search-service.js";

/** The JSON API and media routes (docs/station.md, "Station API"). Routes call services only. */
export interface ApiServices {
  db: Queryable;
  auth: AuthService;
  search: SearchService;
  incidents: IncidentService;
  quarantine: QuarantineRepository;
  store: ObjectStore;
  /** Lists the bucket now (the ingest worker's scan); resolves with the jobs queued. */
  scanNow(): Promise<number>;
  sessionHours: number;
  secureCookies: boolean;
  /** Called for every media read from byte 0 (a play or download): custody audits it as a view. */
  onMediaRead?(user: string, kind: "events" | "clips", id: string, file: string): Promise<void>;
  /** Called after a change to an incident (case number, unlinked clip): custody audits it. */
  onIncidentChange?(
    user: string,
    type: "case-number-set" | "clip-unlinked",
    incidentId: string,
    data: Record<string, unknown>,
  ): Promise<void>;
  /** A refused sign-in to an existing account (wrong password, or locked): custody audits it. */
  onSignInRefused?(account: string, refusal: Extract<SignInResult, { ok: false }>): Promise<void>;
  /** An administrator released a locked account: custody audits it. */
  onAccountUnlocked?(admin: string, account: string): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  mp4: "video/mp4",
  ts: "video/mp2t",
  m3u8: "application/vnd.apple.mpegurl",
  json: "application/json",
  jsonl: "application/x-ndjson",
  vtt: "text/vtt",
};

function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new HttpError(
      400,
      r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  return r.data;
}

const limitOf = (url: URL, def: number, max: number) => {
  const n = Number(url.searchParams.get("limit") ?? def);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : def;
};

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` against a size; null = the whole object; "bad" = unsatisfiable. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | "bad" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return "bad";
  let start: number;
  let end: number;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) return "bad";
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? "bad" : { start, end };
}

export function registerApi(router: Router, s: ApiServices): void {
  const cookie = (value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${s.secureCookies ? "; Secure" : ""}`;

  router.add("POST", "/api/session", null, async ({ req, res }) => {
    const body = parseBody(
      z.object({ name: z.string().max(100), password: z.string().max(1000) }),
      await readJson(req),
    );
    const session = await s.auth.signIn(body.name, body.password).catch((err: unknown) => {
      if (err instanceof GateFullError)
        throw new HttpError(503, "too many sign-ins at once; try again", { "retry-after": "1" });
      throw err;
    });
    if (!session.ok) {
      if (session.account) await s.onSignInRefused?.(body.name, session);
      if (session.lockedUntil) throw lockedError(session.lockedUntil, Date.now());
      throw new HttpError(401, "wrong name or password");
    }
    sendJson(
      res,
      200,
      { user: session.user },
      { "set-cookie": cookie(session.token, Math.round(s.sessionHours * 3600)) },
    );
  });
  router.add("DELETE", "/api/session", "viewer", async ({ res, token }) => {
    if (token) await s.auth.signOut(token);
    res.writeHead(204, { "set-cookie": cookie("", 0) }).end();
  });
  router.add("GET", "/api/me", "viewer", ({ res, user }) => sendJson(res, 200, user));

  router.add("GET", "/api/events", "viewer", async ({ res, url }) => {
    sendJson(res, 200, await s.search.search(Object.fromEntries(url.searchParams)));
  });
  router.add("GET", "/api/incidents/:eventId", "viewer", async ({ res, params }) => {
    sendJson(res, 200, await s.incidents.get(params.eventId ?? ""));
  });
  router.add("PUT", "/api/incidents/:eventId/case", "supervisor", async ({ req, res, params, user }) => {
    const body = parseBody(
      z.object({ caseNumber: z.string().trim().min(1).max(64).nullable() }),
      await readJson(req),
    );
    const incident = await s.incidents.setCaseNumber(params.eventId ?? "", body.caseNumber);
    await s.onIncidentChange?.(user?.name ?? "", "case-number-set", params.eventId ?? "", {
      caseNumber: body.caseNumber,
    });
    sendJson(res, 200, incident);
  });
  router.add(
    "DELETE",
    "/api/incidents/:eventId/clips/:clipId",
    "supervisor",
    async ({ res, params, user }) => {
      await s.incidents.unlinkClip(params.eventId ?? "", params.clipId ?? "", user?.name ?? "?");
      await s.onIncidentChange?.(user?.name ?? "", "clip-unlinked", params.eventId ?? "", {
        clipId: params.clipId ?? "",
      });
      res.writeHead(204).end();
    },
  );
  router.add("GET", "/api/clips", "viewer", async ({ res, url }) => {
    const q = url.searchParams;
    const items = await s.incidents.listClips({
      unlinked: q.get("unlinked") === "1",
      cam: q.get("cam") ?? undefined,
      officer: q.get("officer") ?? undefined,
      from: q.get("from") ?? undefined,
      to: q.get("to") ?? undefined,
      limit: limitOf(url, 50, 200),
    });
    sendJson(res, 200, {
      items: items.map((c) => ({
        clipId: c.clipId,
        camId: c.camId,
        officer: c.officer,
        vehicleId: c.vehicleId,
        eventId: c.eventId,
        alignedStart: c.alignedStart,
        alignedEnd: c.alignedEnd,
        incidents: c.incidents,
      })),
    });
  });

  const media = (kind: "events" | "clips") => async (ctx: RequestContext) => {
    const { req, res, params } = ctx;
    const file = params.file ?? "";
    const obj = await s.incidents.objectOf(kind, params.id ?? "", file);
    if (!obj) throw new HttpError(404, "no such file");
    const range = parseRange(req.headers.range, obj.bytes);
    if (range === "bad") {
      res.writeHead(416, { "content-range": `bytes */${obj.bytes}` }).end();
      return;
    }
    const body = await s.store.get(obj.key, range ?? undefined);
    if (req.method !== "HEAD" && (range?.start ?? 0) === 0) {
      // no view without its audit record
      await s.onMediaRead?.(ctx.user?.name ?? "", kind, params.id ?? "", file).catch((err: unknown) => {
        body.stream.destroy();
        throw err;
      });
    }
    const type = CONTENT_TYPES[file.split(".").pop() ?? ""] ?? "application/octet-stream";
    const headers: Record<string, string | number> = {
      "content-type": type,
      "accept-ranges": "bytes",
      "content-length": body.length,
      "cache-control": "private, max-age=3600",
    };
    if (range) headers["content-range"] = `bytes ${range.start}-${range.end}/${obj.bytes}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === "HEAD") {
      body.stream.destroy();
      res.end();
      return;
    }
    await pipeline(body.stream, res).catch(() => {
      // the player went away mid-stream (a seek): nothing to do
    });
  };
  router.add("GET", "/media/events/:id/:file", "viewer", media("events"));
  router.add("GET", "/media/clips/:id/:file", "viewer", media("clips"));

  router.add("GET", "/api/quarantine", "supervisor", async ({ res, url }) => {
    sendJson(res, 200, { items: await s.quarantine.list(limitOf(url, 100, 1000)) });
  });
  router.add("GET", "/api/alerts", "supervisor", async ({ res, url }) => {
    sendJson(res, 200, { items: await s.quarantine.alerts(limitOf(url, 100, 1000)) });
  });
  router.add("GET", "/api/fleet", "viewer", async ({ res }) => {
    sendJson(res, 200, { items: await new FleetRepository(s.db).list() });
  });
  router.add("GET", "/api/users", "admin", async ({ res }) => {
    const users = await s.auth.listUsers();
    sendJson(res, 200, {
      items: users.map((u) => ({
        name: u.name,
        role: u.role,
        createdAt: u.createdAt,
        disabled: u.disabledAt !== null,
      })),
    });
  });
  router.add("POST", "/api/users", "admin", async ({ req, res }) => {
    const body = parseBody(
      z.object({ name: z.string(), password: z.string(), role: z.string() }),
      await readJson(req),
    );
    await s.auth.addUser(body.name, body.password, body.role);
    sendJson(res, 201, { name: body.name, role: body.role });
  });
  router.add("POST", "/api/users/:name/unlock", "admin", async ({ res, params, user }) => {
    const name = params.name ?? "";
    if (!(await s.auth.unlock(name))) throw new HttpError(404, `no user ${name}`);
    await s.onAccountUnlocked?.(user?.name ?? "", name);
    sendJson(res, 200, { name, locked: false });
  });
  router.add("POST", "/api/ingest/scan", "admin", async ({ res }) => {
    sendJson(res, 202, { queued: await s.scanNow() });
  });
}

/** 429 with Retry-After: the account is locked after too many failed sign-ins. */
function lockedError(lockedUntil: string, now: number): HttpError {
  const seconds = Math.max(1, Math.ceil((Date.parse(lockedUntil) - now) / 1000));
  return new HttpError(
    429,
    `too many failed sign-ins: this account is locked until ${lockedUntil} (an administrator can unlock it)`,
    { "retry-after": String(seconds) },
  );
}

/** Map a service error to its HTTP status (unknown errors are 500 and logged by the server). */
export function statusOf(err: unknown): number | null {
  if (err instanceof HttpError) return err.status;
  if (err instanceof NotFoundError) return 404;
  // e.g. deleted by retention (custody) while the index still lists it as deleted
  if (err instanceof ObjectMissingError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof SearchInputError || err instanceof AuthError) return 400;
  return null;
}
