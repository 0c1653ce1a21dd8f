import { type Page, type PublishedKey, page } from "./page-shell.js";

/**
 * The fleet: each car's state from its bridged status topic (`GET /api/fleet`), refreshed every 5 s;
 * the upload backlog is R/status's `backlog` (count, and the oldest waiting event's start).
 */
const SCRIPT = `
(function () {
  // R/status backlog: events not yet uploaded, and when the oldest of them was recorded
  function backlogCell(c) {
    var td = el("td");
    var b = c.status && c.status.backlog;
    var oldest = c.backlog > 0 && b && typeof b.oldestStartedAt === "string" ? b.oldestStartedAt : null;
    var text = c.backlog === null || c.backlog === undefined ? "unknown" : c.backlog + " waiting";
    var tag = el("span", "tag " + (c.backlog > 0 ? "warn" : "ok"), oldest ? text + ", oldest recorded " + ago(oldest) : text);
    if (oldest) tag.title = "oldest waiting event started " + utc(oldest) + " UTC";
    td.appendChild(tag);
    return td;
  }
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
        tr.appendChild(backlogCell(c));
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
