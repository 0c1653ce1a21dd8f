import type { IncomingMessage, ServerResponse } from "node:http";
import type { Router } from "../http-router.js";
import { fleetPage } from "./fleet-page.js";
import { incidentPage } from "./incident-page.js";
import type { Page, PublishedKey } from "./page-shell.js";
import { searchPage } from "./search-page.js";
import { signInPage } from "./signin-page.js";
import { signingKeyPage } from "./signing-key-page.js";

/**
 * The station's web pages beside the API: `/signin`, `/` and `/search`, `/incidents/{eventId}`,
 * `/fleet`, `/station-key` (and the key's PEM file). Pages carry no data (it comes from the API, which
 * checks the session and the role) except the station's public signing key, rendered in; still, a page
 * asked for without a session redirects to the sign-in page at once (no anonymous access).
 */
const pages = (key: PublishedKey): { pattern: string; page: Page; open?: boolean }[] => [
  { pattern: "/signin", page: signInPage(), open: true },
  { pattern: "/", page: searchPage(key) },
  { pattern: "/search", page: searchPage(key) },
  { pattern: "/incidents/:eventId", page: incidentPage(key) },
  { pattern: "/fleet", page: fleetPage(key) },
  { pattern: "/station-key", page: signingKeyPage(key) },
];

function sendPage(req: IncomingMessage, res: ServerResponse, page: Page): void {
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": page.csp,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  res.end(req.method === "HEAD" ? undefined : page.html);
}

function toSignIn(res: ServerResponse, url: URL): void {
  res.writeHead(303, {
    location: `/signin?next=${encodeURIComponent(url.pathname + url.search)}`,
    "cache-control": "no-store",
  });
  res.end();
}

/**
 * Add the pages to the station's router (before or after the API: their paths do not overlap).
 * `key` is the station's export-signing public key, shown on every signed-in page.
 */
export function registerWebPages(router: Router, key: PublishedKey): void {
  for (const p of pages(key)) {
    router.add("GET", p.pattern, null, ({ req, res, url, user }) => {
      if (!p.open && !user) toSignIn(res, url);
      else sendPage(req, res, p.page);
    });
  }
  router.add("GET", "/station-key.pub.pem", null, ({ req, res, url, user }) => {
    if (!user) return toSignIn(res, url);
    res.writeHead(200, {
      "content-type": "application/x-pem-file",
      "content-disposition": 'attachment; filename="station-key.pub.pem"',
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : key.publicPem);
  });
}
