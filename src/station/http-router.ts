import type { IncomingMessage, ServerResponse } from "node:http";
import { roleAtLeast, type SignedInUser } from "./auth-service.js";
import type { Role } from "./users-repository.js";

/**
 * A small router for the station's HTTP server: method + path pattern (`:name` segments) + the
 * least role allowed (null = no sign-in needed). Routes are added by the API module here and by
 * the web UI pages (issue 14's UI) the same way.
 */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** The signed-in user (always set for routes that need a role). */
  user: SignedInUser | null;
  /** The session token from the cookie, when there is one. */
  token: string | null;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

interface Route {
  method: string;
  parts: string[];
  role: Role | null;
  handler: Handler;
}

export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    /** Sent with the error response (e.g. `retry-after`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const SESSION_COOKIE = "camsync_session";

export function sessionToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, role: Role | null, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split("/").filter(Boolean), role, handler });
    return this;
  }

  /** The route for a request, with its path parameters (decoded), or null. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | "method" | null {
    const parts = path.split("/").filter(Boolean);
    let methodMismatch = false;
    for (const route of this.routes) {
      if (route.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (const [i, p] of route.parts.entries()) {
        const actual = parts[i] as string;
        if (p.startsWith(":")) {
          try {
            params[p.slice(1)] = decodeURIComponent(actual);
          } catch {
            ok = false;
          }
        } else if (p !== actual) ok = false;
        if (!ok) break;
      }
      if (!ok) continue;
      if (route.method !== method && !(route.method === "GET" && method === "HEAD")) {
        methodMismatch = true;
        continue;
      }
      return { route, params };
    }
    return methodMismatch ? "method" : null;
  }

  /** Handle a request: 404/405, then sign-in (401) and role (403) before the handler runs. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    userOf: (token: string) => Promise<SignedInUser | null>,
  ): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://station.invalid");
    const found = this.match(req.method ?? "GET", url.pathname);
    if (found === null) return false;
    if (found === "method") throw new HttpError(405, "method not allowed");
    const token = sessionToken(req);
    const user = token ? await userOf(token) : null;
    const { route, params } = found;
    if (route.role) {
      if (!user) throw new HttpError(401, "sign in");
      if (!roleAtLeast(user.role, route.role)) throw new HttpError(403, `needs the ${route.role} role`);
    }
    await route.handler({ req, res, url, params, user, token });
    return true;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

const MAX_BODY = 64 * 1024;

/** The request's JSON body (at most 64 KiB). */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > MAX_BODY) throw new HttpError(413, "request body too large");
    chunks.push(buf);
  }
  if (total === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
}
