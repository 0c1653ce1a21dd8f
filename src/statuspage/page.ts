import { createHash } from "node:crypto";
import { PAGE_SCRIPT } from "./page-script.js";
import { PAGE_STYLE } from "./page-style.js";

/**
 * The status page: one self-contained HTML document (inline style and script, no external assets), served
 * with a Content-Security-Policy that allows exactly that style and script (by hash) and nothing else.
 */
const BODY = `<header>
  <span class="vehicle" id="vehicle">camsync</span>
  <a class="link" id="review-link" href="/review">REVIEW</a>
  <span class="link lost" id="link">CONNECTING</span>
  <span class="clock" id="clock">--:--:--</span>
</header>
<main>
  <div class="left">
    <section class="state unknown" id="state-panel" aria-live="polite">
      <div class="label"><span class="dot"></span><span id="state">CONNECTING…</span></div>
      <div class="elapsed" id="elapsed">--:--:--</div>
      <div class="reason" id="reason"></div>
      <div class="event-id" id="event-id"></div>
    </section>
    <div class="buttons">
      <button id="btn-start" type="button">START</button>
      <button id="btn-mark" type="button" disabled>MARK</button>
      <button id="btn-stop" type="button" disabled>STOP</button>
    </div>
    <div class="message" id="message" role="status"></div>
    <section class="grow"><h2>Recent events</h2><ul class="recent scroll" id="recent"></ul></section>
  </div>
  <div class="right">
    <section><h2>Body cams</h2><ul id="bodycams"></ul></section>
    <section><h2>Cameras</h2><ul id="cameras"></ul></section>
    <section><h2>Vehicle</h2>
      <div class="kv">
        <span>Bus</span><span class="value"><span id="bus"></span><span class="detail" id="bus-detail"></span></span>
        <span>MQTT</span><span class="value"><span id="mqtt"></span><span class="detail" id="mqtt-detail"></span></span>
        <span>GPS</span><span class="value"><span id="gps"></span><span class="detail" id="gps-detail"></span></span>
        <span>Disk</span><span class="value"><span id="disk"></span><span class="detail" id="disk-detail"></span></span>
      </div>
    </section>
    <section class="grow"><h2>Alerts</h2><ul class="alerts scroll" id="alerts"></ul></section>
  </div>
</main>`;

export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
}

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>camsync</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${BODY}
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;

export const PAGE_CSP = [
  "default-src 'none'",
  `style-src ${cspHash(PAGE_STYLE)}`,
  `script-src ${cspHash(PAGE_SCRIPT)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
