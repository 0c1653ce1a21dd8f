import { type Page, type PublishedKey, page } from "./page-shell.js";

/** The fleet: each car's state from its bridged status topic (`GET /api/fleet`), refreshed every 5 s. */
const SCRIPT = `
(function () {
  function load() {
    api("GET", "/api/fleet").then(function (fleet) {
      var body = $("fleet");
      body.textContent = "";
      fleet.items.forEach(function (c) {
        var tr = el("tr");
        tr.appendChild(el("td", null, c.vehicleId));
        var online = el("td"); online.appendChild(el("span", "tag " + (c.online ? "ok" : "off"), c.online ? "online" : "offline"));
        tr.appendChild(online);
        var rec = el("td");
        rec.appendChild(el("span", "tag " + (c.recording ? "rec" : ""), c.recording ? "RECORDING" : (c.state || "idle")));
        tr.appendChild(rec);
        var ev = el("td", "mono");
        if (c.eventId) { var a = el("a", null, c.eventId); a.href = "/incidents/" + encodeURIComponent(c.eventId); ev.appendChild(a); }
        tr.appendChild(ev);
        tr.appendChild(el("td", null, c.lastSeen ? utc(c.lastSeen) + " (" + ago(c.lastSeen) + ")" : "never"));
        var backlog = el("td");
        backlog.appendChild(el("span", "tag " + (c.backlog > 0 ? "warn" : "ok"), c.backlog === null || c.backlog === undefined ? "unknown" : c.backlog + " waiting"));
        tr.appendChild(backlog);
        body.appendChild(tr);
      });
      $("status").textContent = fleet.items.length ? "Updated " + utc(Date.now()) + " UTC" : "No car has reported yet.";
    }, function (err) { $("status").textContent = "Fleet unavailable: " + err.message; });
  }
  load();
  setInterval(load, 5000);
})();
`;

export function fleetPage(stationKey: PublishedKey): Page {
  return page({
    stationKey,
    title: "Fleet",
    current: "/fleet",
    body: `<h1>Fleet</h1>
<table class="panel">
  <thead><tr><th>Vehicle</th><th>Link</th><th>Recording</th><th>Event</th><th>Last seen (UTC)</th><th>Upload backlog</th></tr></thead>
  <tbody id="fleet"></tbody>
</table>
<p class="dim" id="status"></p>`,
    script: SCRIPT,
  });
}
