import { INCIDENT_SCRIPT } from "./incident-script.js";
import { type Page, type PublishedKey, page } from "./page-shell.js";

/** An incident: every angle side by side on one clock, the telemetry strip, the map track and the timeline. */
export function incidentPage(stationKey: PublishedKey): Page {
  return page({
    stationKey,
    title: "Incident",
    current: "",
    body: `<div class="incident-head"><h1 id="title">Incident</h1><div id="facts" class="incident-head"></div><div id="actions"></div></div>
<div class="message" id="message" role="status"></div>
<div class="angles" id="angles"></div>
<div class="transport panel">
  <button type="button" id="play">▶ Play</button>
  <input type="range" id="position" min="0" max="0" step="100" value="0" aria-label="position">
  <span class="clock" id="clock">—</span>
  <span class="dim">speed</span> <span id="speed">—</span>
</div>
<div class="lower">
  <section class="panel"><h2>Telemetry (speed, lights)</h2><svg id="strip" class="strip" viewBox="0 0 1000 90"></svg>
    <h2 class="gap">Timeline</h2><ul class="timeline" id="timeline"></ul></section>
  <section class="panel"><h2>GPS track (offline map, no tiles)</h2><svg id="map" class="map" viewBox="0 0 400 260"></svg></section>
</div>`,
    script: INCIDENT_SCRIPT,
  });
}
