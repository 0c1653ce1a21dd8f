import type { IncomingMessage, ServerResponse } from "node:http";
import { fleetPage } from "./fleet-page.js";
import { incidentPage } from "./incident-page.js";
import type { Page } from "./page-shell.js";
import { searchPage } from "./search-page.js";
import { signInPage } from "./signin-page.js";

/**
 * The station's web pages, for the station's HTTP server to mount beside the API: `/signin`, `/` and
 * `/search`, `/incidents/{eventId}`, `/fleet`. Pages carry no data (it comes from the API, which checks
 * the session); still, with `signedIn` given, a page asked for without a session redirects to the
 * sign-in page at once. Returns false for paths that are not pages (the API, media).
 */
export interface WebRoutesOptions {
  signedIn?: (req: IncomingMessage) => Promise<boolean> | boolean;
}

const PAGES: { match: (path: string) => boolean; page: Page; open?: boolean }[] = [
  { match: (p) => p === "/signin", page: signInPage(), open: true },
  { match: (p) => p === "/" || p === "/search", page: searchPage() },
  { match: (p) => /^\/incidents\/[A-Za-z0-9_-]{1,80}$/.test(p), page: incidentPage() },
  { match: (p) => p === "/fleet", page: fleetPage() },
];

export function webRoutes(opts: WebRoutesOptions = {}) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = new URL(req.url ?? "/", "http://station");
    const route = PAGES.find((r) => r.match(url.pathname));
    if (!route) return false;
    if (!route.open && opts.signedIn && !(await opts.signedIn(req))) {
      res.writeHead(303, {
        location: `/signin?next=${encodeURIComponent(url.pathname + url.search)}`,
        "cache-control": "no-store",
      });
      res.end();
      return true;
    }
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": route.page.csp,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    res.end(req.method === "HEAD" ? undefined : route.page.html);
    return true;
  };
}
