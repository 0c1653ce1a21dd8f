import { createHash } from "node:crypto";
import { escapeHtml } from "../../core/escape-html.js";
import { WEB_STYLE } from "./web-style.js";

/**
 * The station's pages: each one self-contained HTML document (inline style and script, no external
 * assets, no framework) whose data comes from the Station API (docs/station.md) as JSON, inserted as
 * text, never as HTML. Served with a Content-Security-Policy that allows exactly that style and script.
 */
export interface Page {
  html: string;
  csp: string;
}

/** The station's export-signing public key as the pages publish it (custody/station-key.ts makes it). */
export interface PublishedKey {
  /** PEM (SPKI) text of the Ed25519 public key. */
  publicPem: string;
  /** SHA-256 (hex) of the DER public key, as `camsync verify EXPORT.zip` prints it. */
  fingerprint: string;
}

/** Helpers every page's script starts with: `api()` (401 → sign-in page), `el()`, time formatting, header. */
export const COMMON_SCRIPT = `
"use strict";
var $ = function (id) { return document.getElementById(id); };
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function toSignIn() {
  location.href = "/signin?next=" + encodeURIComponent(location.pathname + location.search);
}
function api(method, path, body) {
  var init = { method: method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
  return fetch(path, init).then(function (r) {
    if (r.status === 401) { toSignIn(); throw new Error("not signed in"); }
    if (r.status === 204) return null;
    return r.json().then(function (j) {
      if (!r.ok) throw new Error((j && j.error) || ("HTTP " + r.status));
      return j;
    });
  });
}
function pad(n, w) { var s = String(n); while (s.length < (w || 2)) s = "0" + s; return s; }
/** UTC date and time of an epoch-ms or ISO value, to the second (or ms). */
function utc(v, ms) {
  var d = new Date(v);
  if (isNaN(d.getTime())) return "";
  var s = d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
    pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  return ms ? s + "." + pad(d.getUTCMilliseconds(), 3) : s;
}
function ago(iso) {
  var s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (!isFinite(s)) return "never";
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " d ago";
}
(function header() {
  var out = $("signout");
  if (!out) return;
  api("GET", "/api/me").then(function (me) { $("user").textContent = me.name + " (" + me.role + ")"; }, function () {});
  out.addEventListener("click", function () {
    api("DELETE", "/api/session").then(function () { location.href = "/signin"; }, function () { location.href = "/signin"; });
  });
})();
`;

const cspHash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

const NAV = [
  { path: "/search", label: "Search" },
  { path: "/fleet", label: "Fleet" },
];

/**
 * The foot of every signed-in page: the fingerprint of the key court exports are signed with, rendered
 * into the page by the server (no request of its own, nothing that moves the page after it is shown).
 */
const keyFooter = (key: PublishedKey) =>
  `<footer class="key" id="station-key">Court exports are signed with this station's Ed25519 key, SHA-256 fingerprint <code id="station-key-fingerprint">${escapeHtml(
    key.fingerprint,
  )}</code> · <a href="/station-key">the public key</a></footer>`;

/**
 * A page: the header (nav, user, sign out) unless `bare`, the body, the signing key's footer when
 * given, and the common + page script.
 */
export function page(opts: {
  title: string;
  current?: string;
  body: string;
  script: string;
  bare?: boolean;
  stationKey?: PublishedKey;
}): Page {
  const script = `${COMMON_SCRIPT}\n${opts.script}`;
  const header = opts.bare
    ? ""
    : `<header class="top"><span class="brand">camsync station</span><nav>${NAV.map(
        (n) => `<a href="${n.path}"${n.path === opts.current ? ' class="current"' : ""}>${n.label}</a>`,
      ).join(
        "",
      )}</nav><span class="user" id="user"></span><button type="button" id="signout">Sign out</button></header>`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(opts.title)} · camsync station</title>
<style>${WEB_STYLE}</style>
</head>
<body>
${header}
<main>
${opts.body}
</main>
${opts.stationKey ? keyFooter(opts.stationKey) : ""}
<script>${script}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `style-src ${cspHash(WEB_STYLE)}`,
    `script-src ${cspHash(script)}`,
    "connect-src 'self'",
    "media-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { html, csp };
}
