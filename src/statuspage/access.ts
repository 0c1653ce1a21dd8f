import { createHash, timingSafeEqual } from "node:crypto";
import { isLoopbackHost } from "./loopback.js";

/**
 * Who may use the status page. Pure: a request's relevant headers in, a verdict out.
 *
 * - Token: when one is configured, every request (page, API, live stream) must carry it as
 *   `Authorization: Bearer TOKEN` or `?token=TOKEN` (EventSource cannot send headers).
 * - Without a token the page is loopback-only, and the `Host` header must be a loopback name too, so a
 *   web page elsewhere cannot reach it through DNS rebinding. Any local process can still read it, so
 *   without a token every state-changing request (POST) also needs the page session (`session`: the
 *   request carries this start's session cookie, see page-session.ts).
 * - State-changing requests (POST) need the custom header `X-Camsync-Request: 1` (a cross-site form or
 *   fetch cannot send it without a CORS preflight, which this server never grants) and, when the browser
 *   sends `Origin`, an origin equal to the page's own.
 */
export interface AccessRequest {
  method: string;
  host: string | undefined;
  authorization: string | undefined;
  queryToken: string | null;
  origin: string | undefined;
  customHeader: string | undefined;
  /** The request carries this start's page-session cookie. */
  session: boolean;
}

export type AccessVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

export const CUSTOM_HEADER = "x-camsync-request";

function sameSecret(expected: string, given: string): boolean {
  // Hash both so the comparison takes the same time whatever the lengths.
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

function bearer(authorization: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return m?.[1] ?? null;
}

/** The host name of a `Host` header (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `::1`). */
export function hostName(host: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (m?.[1]) return m[1];
  const colon = host.indexOf(":");
  return colon >= 0 && host.indexOf(":", colon + 1) < 0 ? host.slice(0, colon) : host;
}

export function checkAccess(req: AccessRequest, token: string | undefined): AccessVerdict {
  if (!req.host) return { ok: false, status: 403, message: "missing Host header" };
  if (token !== undefined) {
    const given = bearer(req.authorization) ?? req.queryToken;
    if (given === null || !sameSecret(token, given)) {
      return {
        ok: false,
        status: 401,
        message: "a valid token is required (Authorization: Bearer … or ?token=…)",
      };
    }
  } else if (!isLoopbackHost(hostName(req.host))) {
    return {
      ok: false,
      status: 403,
      message: `host '${req.host}' is not allowed (loopback only without a token)`,
    };
  }
  if (req.method === "POST") {
    if (token === undefined && !req.session) {
      return {
        ok: false,
        status: 403,
        message:
          "control from the status page needs its session: open the page from the launch link ({dataDir}/status-page.url) or configure a token",
      };
    }
    if (req.customHeader !== "1") {
      return { ok: false, status: 403, message: `control requests need the header ${CUSTOM_HEADER}: 1` };
    }
    if (
      req.origin !== undefined &&
      req.origin !== `http://${req.host}` &&
      req.origin !== `https://${req.host}`
    ) {
      return { ok: false, status: 403, message: `cross-origin control request from ${req.origin} refused` };
    }
  }
  return { ok: true };
}
