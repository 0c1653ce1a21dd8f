import { type Page, type PublishedKey, page } from "./page-shell.js";

/**
 * Search: the filters of `GET /api/events` (date range, vehicle, officer, trigger kind, category, case
 * number, words in notes) kept in the page's URL (so a search can be bookmarked and shared), newest
 * first, paged with the API's `next` cursor.
 */
const TRIGGERS = ["lightbar", "button", "can", "gpio", "bodycam", "cli"];
const FIELDS = ["from", "to", "vehicle", "officer", "trigger", "category", "case", "q"];

const SCRIPT = `
(function () {
  var FIELDS = ${JSON.stringify(FIELDS)};
  var params = new URLSearchParams(location.search);
  var form = $("filters");
  // datetime-local inputs hold UTC here (the station's records are UTC; the page says so).
  function toInput(iso) { return iso ? iso.slice(0, 16) : ""; }
  function fromInput(v) { return v ? v + ":00.000Z" : ""; }
  FIELDS.forEach(function (f) {
    var v = params.get(f) || "";
    form.elements[f].value = (f === "from" || f === "to") ? toInput(v) : v;
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = new URLSearchParams();
    FIELDS.forEach(function (f) {
      var v = form.elements[f].value.trim();
      if (f === "from" || f === "to") v = fromInput(v);
      if (v) q.set(f, v);
    });
    location.search = q.toString();
  });
  $("clear").addEventListener("click", function () { location.search = ""; });
  $("prev").addEventListener("click", function () { history.back(); });
  $("prev").disabled = !params.get("after");

  var query = new URLSearchParams();
  FIELDS.forEach(function (f) { if (params.get(f)) query.set(f, params.get(f)); });
  if (params.get("after")) query.set("after", params.get("after"));
  query.set("limit", "25");
  $("status").textContent = "Searching…";
  api("GET", "/api/events?" + query.toString()).then(function (page) {
    var body = $("results");
    body.textContent = "";
    page.items.forEach(function (e) {
      var tr = el("tr");
      var link = el("a", null, utc(e.startedAt));
      link.href = "/incidents/" + encodeURIComponent(e.eventId);
      var first = el("td"); first.appendChild(link); tr.appendChild(first);
      var dur = e.endedAt ? Math.round((new Date(e.endedAt) - new Date(e.startedAt)) / 1000) + " s" : "open";
      [dur, e.vehicleId, e.officer || "—", e.trigger.kind + (e.trigger.id ? ":" + e.trigger.id : ""),
        e.category || "—", e.caseNumber || "—"].forEach(function (v) { tr.appendChild(el("td", null, v)); });
      var angles = el("td");
      angles.appendChild(el("span", "tag", e.cameras.length + " car"));
      angles.appendChild(el("span", "tag" + (e.clipCount ? " ok" : ""), e.clipCount + " body"));
      if (e.critical) angles.appendChild(el("span", "tag rec", "critical"));
      tr.appendChild(angles);
      tr.appendChild(el("td", "dim notes", e.notes || ""));
      body.appendChild(tr);
    });
    $("status").textContent = page.items.length ? "" : "No events match.";
    var next = $("next");
    next.disabled = !page.next;
    next.onclick = function () { params.set("after", page.next); location.search = params.toString(); };
  }, function (err) { $("status").textContent = "Search failed: " + err.message; });
})();
`;

const input = (name: string, label: string, type = "text") =>
  `<label>${label}<input name="${name}" id="f-${name}" type="${type}"></label>`;

export function searchPage(stationKey: PublishedKey): Page {
  return page({
    stationKey,
    title: "Search",
    current: "/search",
    body: `<h1>Incidents</h1>
<form class="filters panel" id="filters">
  ${input("from", "From (UTC)", "datetime-local")}
  ${input("to", "To (UTC)", "datetime-local")}
  ${input("vehicle", "Vehicle")}
  ${input("officer", "Officer")}
  <label>Trigger<select name="trigger" id="f-trigger"><option value="">any</option>${TRIGGERS.map(
    (t) => `<option value="${t}">${t}</option>`,
  ).join("")}</select></label>
  ${input("category", "Category")}
  ${input("case", "Case number")}
  <label class="wide">Notes contain<input name="q" id="f-q" type="search"></label>
  <div class="actions"><button class="primary" type="submit">Search</button><button type="button" id="clear">Clear</button></div>
</form>
<table class="panel">
  <thead><tr><th>Started (UTC)</th><th>Length</th><th>Vehicle</th><th>Officer</th><th>Trigger</th><th>Category</th><th>Case</th><th>Angles</th><th>Notes</th></tr></thead>
  <tbody id="results"></tbody>
</table>
<div class="pager"><button type="button" id="prev">‹ Previous</button><button type="button" id="next" disabled>Next ›</button><span class="dim" id="status"></span></div>`,
    script: SCRIPT,
  });
}
