import { cspHash } from "../statuspage/page.js";
import { REVIEW_SCRIPT } from "./review-script.js";
import { REVIEW_STYLE } from "./review-style.js";

/**
 * The review tab: one HTML document with inline style and script, plus the player library from the same
 * server (`/review/hls.js`). The Content-Security-Policy allows exactly those, media from this server and
 * `blob:` (hls.js feeds the video element through Media Source Extensions).
 */
const BODY = `<header>
  <span class="title">camsync · Review</span>
  <a class="tab" id="tab-live" href="/">LIVE</a>
  <a class="tab current" href="#">REVIEW</a>
  <input id="officer" placeholder="Officer ID" size="10" aria-label="Officer ID">
  <button id="sign-in" type="button">SIGN IN</button>
  <span class="message" id="officer-message"></span>
</header>
<main>
  <div id="list-view" class="list-view">
    <div class="filters">
      <label>From <input id="f-from" type="date"></label>
      <label>To <input id="f-to" type="date"></label>
      <label>Trigger <select id="f-trigger"><option value="">any</option></select></label>
      <label>Category <select id="f-category"><option value="">any</option></select></label>
      <span class="live" id="live-cams"></span>
    </div>
    <div class="list"><table>
      <thead><tr><th>Start</th><th>Length</th><th>Why</th><th>Marks</th><th>Body cams</th><th>Upload</th><th>Tags</th></tr></thead>
      <tbody id="events"></tbody>
    </table></div>
    <div class="pager"><span class="info" id="page-info"></span><span class="message" id="list-message"></span>
      <button id="prev" type="button">◀ NEWER</button><button id="next" type="button">OLDER ▶</button></div>
  </div>
  <div id="player-view" class="player-view hidden">
    <div class="controls">
      <button id="back" type="button">◀ EVENTS</button>
      <button id="play" type="button" class="primary">PLAY / PAUSE</button>
      <span id="parts"></span>
      <span id="player-title"></span>
      <span class="time" id="time"></span>
    </div>
    <div class="player">
      <div class="videos" id="videos"></div>
      <div class="side">
        <div class="box"><h2>Telemetry</h2><div class="telemetry" id="telemetry"></div></div>
        <div class="box"><h2>GPS</h2><svg class="map" id="map" xmlns="http://www.w3.org/2000/svg"></svg></div>
        <div class="box"><h2>Tags</h2>
          <div class="form">
            <span>Category</span><input id="t-category" maxlength="64">
            <span>Case no.</span><input id="t-case" maxlength="64">
            <span>Note</span><input id="t-note" maxlength="2000">
            <span>Critical</span><input id="t-critical" type="checkbox">
          </div>
          <div class="telemetry" id="notes"></div>
          <button id="save-tags" type="button" class="primary">SAVE TAGS</button>
          <div class="message" id="player-message" role="status"></div>
        </div>
      </div>
    </div>
    <svg class="timeline" id="timeline" xmlns="http://www.w3.org/2000/svg"></svg>
    <div class="legend"><span>red trigger</span><span>amber mark</span><span>white stop</span><span>shaded post-roll</span><span>green body cam confirmed</span><span>grey signal change</span><span>blue speed</span></div>
  </div>
</main>`;

export const REVIEW_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>camsync · Review</title>
<style>${REVIEW_STYLE}</style>
</head>
<body>
${BODY}
<script>${REVIEW_SCRIPT}</script>
</body>
</html>
`;

export const REVIEW_CSP = [
  "default-src 'none'",
  `style-src ${cspHash(REVIEW_STYLE)}`,
  `script-src 'self' ${cspHash(REVIEW_SCRIPT)}`,
  "connect-src 'self'",
  "media-src 'self' blob:",
  "img-src 'self' data: blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
