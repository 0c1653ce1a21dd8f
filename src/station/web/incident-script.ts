import { GEOMETRY_SCRIPT } from "./incident-geometry.js";

/**
 * The incident page's script (plain browser JavaScript, inlined). One clock drives every angle: the
 * page keeps a master instant `t` on the station's time axis (docs/station.md: each file and clip has
 * its start on that axis), and every video is placed at `t − start`. The clock advances only while
 * every video that has footage at `t` can play (a buffering angle holds it), a video that drifts more
 * than 0.3 s is put back, and a seek places every video at once. Angles without footage at `t` show so.
 * The telemetry strip (speed, lights), the map and the timeline follow the same clock.
 *
 * `window.camsyncPlayer` ({ now, seek, play, pause, angles }) is the page's automation hook (tests, bench).
 */
export const INCIDENT_SCRIPT = `
${GEOMETRY_SCRIPT}
(function () {
  var SVGNS = "http://www.w3.org/2000/svg";
  var eventId = decodeURIComponent(location.pathname.split("/").pop() || "");
  var angles = [], T0 = 0, T1 = 0, t = 0, playing = false, lastTick = performance.now();
  var telemetry = { gps: [], gpsAt: [], speed: [], lights: [] }, mapMarker = null, stripCursor = null;
  var timelineItems = [], stripWidth = 1000;

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function ms(iso) { return new Date(iso).getTime(); }

  // ---- angles ----
  function addAngle(label, sub, url, start, duration) {
    var tile = el("div", "angle");
    var v = document.createElement("video");
    v.muted = true; v.playsInline = true; v.preload = "auto";
    v.src = url;
    v.dataset.startMs = String(start);
    v.dataset.durationS = String(duration);
    tile.appendChild(v);
    var l = el("div", "label", label);
    if (sub) l.appendChild(el("span", sub.cls, " " + sub.text));
    tile.appendChild(l);
    tile.appendChild(el("div", "idle", "no footage at this time"));
    $("angles").appendChild(tile);
    angles.push({ video: v, tile: tile, start: start, duration: duration, label: label });
  }

  function place(a, force) {
    var want = angleTime(t, a.start, a.duration);
    a.tile.classList.toggle("outside", want === null);
    var v = a.video;
    if (want === null) { if (!v.paused) v.pause(); return; }
    if (force || Math.abs(v.currentTime - want) > 0.3) v.currentTime = want;
    if (playing && v.paused && !v.ended) v.play().catch(function () {});
    if (!playing && !v.paused) v.pause();
  }
  function stalled() {
    return angles.some(function (a) {
      return angleTime(t, a.start, a.duration) !== null && (a.video.seeking || a.video.readyState < 3);
    });
  }
  function seek(to) {
    t = Math.min(T1, Math.max(T0, to));
    angles.forEach(function (a) { place(a, true); });
    render();
  }
  function setPlaying(p) {
    playing = p;
    $("play").textContent = p ? "❚❚ Pause" : "▶ Play";
    angles.forEach(function (a) { place(a, false); });
  }
  function tick() {
    var nowPerf = performance.now(), dt = nowPerf - lastTick;
    lastTick = nowPerf;
    if (playing && !stalled()) {
      t += dt;
      if (t >= T1) { t = T1; setPlaying(false); }
    }
    angles.forEach(function (a) { place(a, false); });
    render();
  }

  // ---- telemetry strip ----
  function drawStrip() {
    var s = $("strip"), W = Math.max(200, Math.round(s.getBoundingClientRect().width) || 1000), H = 90, top = 14, maxSpeed = 0;
    stripWidth = W;
    s.setAttribute("viewBox", "0 0 " + W + " " + H);
    telemetry.speed.forEach(function (p) { maxSpeed = Math.max(maxSpeed, p.v); });
    maxSpeed = Math.max(20, Math.ceil(maxSpeed / 20) * 20);
    var x = function (at) { return ((at - T0) / Math.max(1, T1 - T0)) * W; };
    var y = function (v) { return H - 4 - (v / maxSpeed) * (H - top - 8); };
    s.appendChild(svg("line", { x1: 0, x2: W, y1: y(maxSpeed / 2), y2: y(maxSpeed / 2), stroke: "#2b3440" }));
    telemetry.lights.forEach(function (l) {
      s.appendChild(svg("rect", { x: x(l.from), y: 2, width: Math.max(2, x(l.to) - x(l.from)), height: 8, fill: "#e5484d", opacity: 0.85 }));
    });
    if (telemetry.speed.length > 0) {
      s.appendChild(svg("polyline", { points: telemetry.speed.map(function (p) { return x(p.at).toFixed(1) + "," + y(p.v).toFixed(1); }).join(" "), fill: "none", stroke: "#4da3ff", "stroke-width": 2 }));
    }
    s.appendChild(svg("text", { x: 4, y: y(maxSpeed) + 10 }, maxSpeed + " km/h"));
    s.appendChild(svg("text", { x: W - 4, y: 10, "text-anchor": "end" }, telemetry.lights.length ? "lights" : "lights: no data"));
    if (!telemetry.speed.length) s.appendChild(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "no speed data"));
    stripCursor = svg("line", { x1: 0, x2: 0, y1: 0, y2: H, stroke: "#fff", "stroke-width": 1.5 });
    s.appendChild(stripCursor);
    s.addEventListener("click", function (ev) {
      var r = s.getBoundingClientRect();
      seek(T0 + ((ev.clientX - r.left) / r.width) * (T1 - T0));
    });
  }

  // ---- map ----
  function drawMap() {
    var m = $("map"), W = 400, H = 260;
    var layout = trackLayout(telemetry.gps, W, H, 18, 40);
    if (!layout) { m.appendChild(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "no GPS track")); return; }
    var g = svg("g", { stroke: "#1e2833", "stroke-width": 1 });
    for (var gx = layout.gridX0; gx <= W; gx += layout.gridPx) g.appendChild(svg("line", { x1: gx, x2: gx, y1: 0, y2: H }));
    for (var gy = layout.gridY0; gy <= H; gy += layout.gridPx) g.appendChild(svg("line", { x1: 0, x2: W, y1: gy, y2: gy }));
    m.appendChild(g);
    m.appendChild(svg("polyline", { id: "track", points: layout.xy.map(function (p) { return p[0] + "," + p[1]; }).join(" "), fill: "none", stroke: "#4da3ff", "stroke-width": 3, "stroke-linejoin": "round" }));
    var first = layout.xy[0], last = layout.xy[layout.xy.length - 1];
    m.appendChild(svg("circle", { cx: first[0], cy: first[1], r: 5, fill: "#3fb950" }));
    m.appendChild(svg("rect", { x: last[0] - 4, y: last[1] - 4, width: 8, height: 8, fill: "#d29922" }));
    var bar = layout.gridPx, label = layout.gridMeters >= 1000 ? layout.gridMeters / 1000 + " km" : layout.gridMeters + " m";
    m.appendChild(svg("line", { x1: 10, x2: 10 + bar, y1: H - 12, y2: H - 12, stroke: "#e4e8ee", "stroke-width": 2 }));
    m.appendChild(svg("text", { x: 10, y: H - 16 }, label + " (grid)"));
    m.appendChild(svg("text", { x: W - 8, y: 14, "text-anchor": "end" }, "N ↑"));
    mapMarker = svg("circle", { id: "map-position", r: 6, fill: "#fff", stroke: "#e5484d", "stroke-width": 3, cx: first[0], cy: first[1] });
    mapMarker.layout = layout;
    m.appendChild(mapMarker);
  }

  // ---- timeline ----
  function drawTimeline(items) {
    var list = $("timeline");
    items.sort(function (a, b) { return a.at - b.at; });
    items.forEach(function (it) {
      var li = el("li");
      li.appendChild(el("span", "mono", utc(it.at).slice(11) + "  "));
      li.appendChild(el("span", "tag", it.type));
      li.appendChild(document.createTextNode(" " + it.text));
      li.addEventListener("click", function () { seek(it.at - 2000); });
      list.appendChild(li);
      it.li = li;
    });
    timelineItems = items;
  }

  function render() {
    $("clock").textContent = utc(t, true) + " UTC";
    $("position").value = String(Math.round(t - T0));
    if (stripCursor) { var x = ((t - T0) / Math.max(1, T1 - T0)) * stripWidth; stripCursor.setAttribute("x1", x); stripCursor.setAttribute("x2", x); }
    if (mapMarker && telemetry.gpsAt.length) {
      var i = Math.max(0, indexAt(telemetry.gpsAt, t)), p = mapMarker.layout.xy[i];
      mapMarker.setAttribute("cx", p[0]); mapMarker.setAttribute("cy", p[1]);
      var g = telemetry.gps[i];
      $("speed").textContent = g && g.speedKmh !== null && g.speedKmh !== undefined ? Math.round(g.speedKmh) + " km/h" : "—";
    }
    timelineItems.forEach(function (it) { it.li.classList.toggle("past", it.at <= t); });
  }

  function show(inc) {
    var e = inc.event, carOffset = e.clockOffsetMs || 0;
    $("title").textContent = "Incident " + e.eventId;
    var facts = [["Vehicle", e.vehicleId], ["Officer", e.officer || "—"], ["Started", utc(e.startedAt) + " UTC"],
      ["Trigger", e.trigger.kind + (e.trigger.id ? ":" + e.trigger.id : "")], ["Category", e.category || "—"],
      ["Case", inc.caseNumber || "—"], ["Audit", e.auditState]];
    facts.forEach(function (f) { var s = el("span"); s.appendChild(el("span", "dim", f[0] + " ")); s.appendChild(document.createTextNode(f[1])); $("facts").appendChild(s); });

    var items = [];
    inc.files.forEach(function (f) {
      addAngle(f.camera + (f.part > 1 ? " (part " + f.part + ")" : ""), { cls: "dim", text: e.vehicleId }, f.url, ms(f.startedAt), f.durationSeconds);
    });
    inc.clips.forEach(function (c) {
      var start = ms(c.alignedStart);
      c.files.forEach(function (f) {
        addAngle(c.camId + (c.officer ? " · " + c.officer : ""), c.link === "time" ? { cls: "link-time", text: "linked by time" } : { cls: "dim", text: "body cam" }, f.url, start, f.durationSeconds);
        start += f.durationSeconds * 1000;
      });
      items.push({ at: ms(c.alignedStart), type: "body cam", text: c.camId + " starts" + (c.link === "time" ? " (linked by time)" : "") });
      items.push({ at: ms(c.alignedEnd), type: "body cam", text: c.camId + " ends" });
      if (c.link === "time") {
        var b = el("button", null, "Unlink " + c.camId);
        b.type = "button";
        b.addEventListener("click", function () {
          api("DELETE", "/api/incidents/" + encodeURIComponent(e.eventId) + "/clips/" + encodeURIComponent(c.clipId)).then(
            function () { location.reload(); }, function (err) { $("message").textContent = err.message; });
        });
        $("actions").appendChild(b);
      }
    });
    if (!angles.length) { $("message").textContent = "This incident has no playable files."; return; }
    T0 = Math.min.apply(null, angles.map(function (a) { return a.start; }));
    T1 = Math.max.apply(null, angles.map(function (a) { return a.start + a.duration * 1000; }));
    $("position").max = String(Math.round(T1 - T0));

    (e.timeline || []).forEach(function (x) {
      items.push({ at: ms(x.at) - carOffset, type: x.type, text: (x.origin ? x.origin.kind + (x.origin.id ? ":" + x.origin.id : "") + " — " : "") + x.reason });
    });
    telemetry.gps = (e.gpsTrack || []).map(function (g) { return { at: ms(g.at) - carOffset, lat: g.lat, lon: g.lon, speedKmh: g.speedKmh }; });
    telemetry.gpsAt = telemetry.gps.map(function (g) { return g.at; });
    telemetry.speed = telemetry.gps.filter(function (g) { return typeof g.speedKmh === "number"; }).map(function (g) { return { at: g.at, v: g.speedKmh }; });
    var speedSignals = (e.signals || []).filter(function (s) { return /speed/i.test(s.name) && typeof s.value === "number"; });
    if (!telemetry.speed.length) telemetry.speed = speedSignals.map(function (s) { return { at: ms(s.at) - carOffset, v: s.value }; });
    var on = null;
    (e.signals || []).filter(function (s) { return /light|siren/i.test(s.name); }).forEach(function (s) {
      var active = s.value === 1 || /^(on|true|active)$/i.test(String(s.value));
      var at = ms(s.at) - carOffset;
      if (active && on === null) on = at;
      if (!active && on !== null) { telemetry.lights.push({ from: on, to: at }); on = null; }
    });
    if (on !== null) telemetry.lights.push({ from: on, to: T1 });
    drawStrip();
    drawMap();
    drawTimeline(items);
    // ?t=ISO or epoch ms: open at that instant (a link to a moment), else at the first frame.
    var at = new URLSearchParams(location.search).get("t");
    var startAt = at === null ? NaN : /^\\d+$/.test(at) ? Number(at) : ms(at);
    seek(isNaN(startAt) ? T0 : startAt);
    setPlaying(true);
    setInterval(tick, 100);
  }

  $("play").addEventListener("click", function () { setPlaying(!playing); });
  $("position").addEventListener("input", function () { seek(T0 + Number($("position").value)); });
  document.addEventListener("keydown", function (ev) {
    if (ev.target && /INPUT|SELECT|TEXTAREA/.test(ev.target.tagName) && ev.target.id !== "position") return;
    var step = ev.shiftKey ? 1000 : 5000;
    if (ev.key === " ") { ev.preventDefault(); setPlaying(!playing); }
    else if (ev.key === "ArrowLeft") { ev.preventDefault(); seek(t - step); }
    else if (ev.key === "ArrowRight") { ev.preventDefault(); seek(t + step); }
  });
  window.camsyncPlayer = {
    now: function () { return t; }, seek: seek, play: function () { setPlaying(true); }, pause: function () { setPlaying(false); },
    angles: function () { return angles.map(function (a) { return { label: a.label, start: a.start, duration: a.duration }; }); },
  };
  api("GET", "/api/incidents/" + encodeURIComponent(eventId)).then(show, function (err) {
    $("message").textContent = "Cannot load the incident: " + err.message;
  });
})();
`;
