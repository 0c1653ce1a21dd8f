/**
 * The review tab's timeline strip and GPS track: a part of REVIEW_SCRIPT (review-script.ts), spliced into
 * its one function scope, so it uses that script's `$`, `current`, `leadWall` and `seekWall` and gives it
 * `drawTimeline`, `drawMap` and `drawPlayhead`. The strip shows trigger, marks, stop, post-roll, body-cam
 * confirmations, signal changes, speed and UTC time labels, and seeks on click; a point of the GPS track
 * seeks to its time.
 */
export const REVIEW_TIMELINE_SCRIPT = `
  // ---- timeline ------------------------------------------------------------------------------------
  var NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  var W = 1000, H = 96;
  function x(ms) { return ((ms - current.fromMs) / (current.toMs - current.fromMs)) * W; }
  function drawTimeline(ev) {
    var s = $("timeline");
    s.replaceChildren();
    s.setAttribute("viewBox", "0 0 " + W + " " + H);
    s.setAttribute("preserveAspectRatio", "none");
    s.appendChild(svg("rect", { x: 0, y: 0, width: W, height: H, fill: "#0e141b" }));
    var stop = ev.timeline.filter(function (t) { return t.type === "stop-requested"; })[0];
    if (stop && ev.endMs) s.appendChild(svg("rect", { x: x(Date.parse(stop.at)), y: 0, width: Math.max(1, x(ev.endMs) - x(Date.parse(stop.at))), height: H, fill: "#3a2a08" }, "post-roll"));
    var speeds = ev.gpsTrack.filter(function (g) { return g.speedKmh !== null; });
    if (speeds.length > 1) {
      var max = Math.max.apply(null, speeds.map(function (g) { return g.speedKmh; }).concat([10]));
      var pts = speeds.map(function (g) { return x(Date.parse(g.at)).toFixed(1) + "," + (H - 4 - (g.speedKmh / max) * (H - 30)).toFixed(1); });
      s.appendChild(svg("polyline", { points: pts.join(" "), fill: "none", stroke: "#4da3ff", "stroke-width": 2, "vector-effect": "non-scaling-stroke" }));
    }
    function mark(ms, color, label, row) {
      var g = svg("g", { "data-kind": label });
      g.appendChild(svg("line", { x1: x(ms), x2: x(ms), y1: 0, y2: H, stroke: color, "stroke-width": 2, "vector-effect": "non-scaling-stroke" }));
      g.appendChild(svg("title", {}, label + " " + new Date(ms).toISOString().slice(11, 19)));
      s.appendChild(g);
    }
    ev.signals.forEach(function (sg) { var t = Date.parse(sg.at); if (t >= current.fromMs) mark(t, "#5b6b7b", sg.name + "=" + sg.value); });
    mark(ev.startMs, "#ff4d4d", "trigger");
    ev.marks.forEach(function (m) { mark(Date.parse(m.at), "#ffb020", "mark"); });
    if (stop) mark(Date.parse(stop.at), "#ffffff", "stop");
    if (ev.endMs) mark(ev.endMs, "#b0b0b0", "end of post-roll");
    ev.bodycams.forEach(function (b) { if (b.confirmedAt) mark(Date.parse(b.confirmedAt), "#3ddc84", "body cam " + b.id + " confirmed"); });
    // time labels every few seconds (UTC), so a point on the strip reads as a moment
    var span = current.toMs - current.fromMs, step = [5000, 10000, 30000, 60000, 300000, 600000].filter(function (st) { return span / st <= 12; })[0] || 1800000;
    for (var t = Math.ceil(current.fromMs / step) * step; t < current.toMs; t += step) {
      s.appendChild(svg("text", { x: x(t) + 3, y: 12, fill: "#93a1b0", "font-size": 11 }, new Date(t).toISOString().slice(11, 19)));
    }
    s.appendChild(svg("line", { id: "playhead", x1: 0, x2: 0, y1: 0, y2: H, stroke: "#4da3ff", "stroke-width": 4, "vector-effect": "non-scaling-stroke" }));
  }
  function drawPlayhead() {
    var ph = document.getElementById("playhead");
    var wall = leadWall();
    if (ph && wall !== null) { ph.setAttribute("x1", x(wall)); ph.setAttribute("x2", x(wall)); }
  }
  $("timeline").addEventListener("click", function (e) {
    if (!current) return;
    var r = $("timeline").getBoundingClientRect();
    seekWall(current.fromMs + ((e.clientX - r.left) / r.width) * (current.toMs - current.fromMs));
  });
  function drawMap(ev) {
    var s = $("map");
    s.replaceChildren();
    var g = ev.gpsTrack;
    if (g.length < 1) { s.appendChild(svg("text", { x: 10, y: 24, fill: "#93a1b0", "font-size": 14 }, "No GPS track")); return; }
    var lats = g.map(function (p) { return p.lat; }), lons = g.map(function (p) { return p.lon; });
    var minLa = Math.min.apply(null, lats), maxLa = Math.max.apply(null, lats), minLo = Math.min.apply(null, lons), maxLo = Math.max.apply(null, lons);
    var span = Math.max(maxLa - minLa, (maxLo - minLo) * Math.cos(minLa * Math.PI / 180), 1e-4);
    s.setAttribute("viewBox", "0 0 300 120");
    function pt(p) { return [150 + ((p.lon - (minLo + maxLo) / 2) * Math.cos(minLa * Math.PI / 180) / span) * 110, 60 - ((p.lat - (minLa + maxLa) / 2) / span) * 110]; }
    s.appendChild(svg("polyline", { points: g.map(function (p) { return pt(p).join(","); }).join(" "), fill: "none", stroke: "#4da3ff", "stroke-width": 2 }));
    g.forEach(function (p) {
      var c = pt(p); var dot = svg("circle", { cx: c[0], cy: c[1], r: 4, fill: "#93a1b0" });
      dot.addEventListener("click", function () { seekWall(Date.parse(p.at)); });
      s.appendChild(dot);
    });
  }
`;
