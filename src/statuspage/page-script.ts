/**
 * The status page's script (inlined, plain browser JavaScript, no build step). It renders the StatusView
 * pushed over Server-Sent Events and sends Start / Mark / Stop to `api/control`. Everything from the
 * daemon is inserted as text (never as HTML). Stop needs a second tap within 4 s.
 */
export const PAGE_SCRIPT = `
"use strict";
(function () {
  var token = new URLSearchParams(location.search).get("token");
  var withToken = function (path) { return token ? path + "?token=" + encodeURIComponent(token) : path; };
  var $ = function (id) { return document.getElementById(id); };
  $("review-link").href = withToken("/review");
  var view = null, offset = 0, lastUpdate = 0, stopArmedUntil = 0;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }
  function localTime(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? "" : pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function tag(text, kind) { return el("span", "tag " + (kind || ""), text); }
  function healthTag(h) {
    return tag(h === "ok" ? "OK" : h === "degraded" ? "DEGRADED" : h === "down" ? "DOWN" : "UNKNOWN",
      h === "ok" ? "ok" : h === "degraded" ? "warn" : h === "down" ? "bad" : "");
  }
  function fill(list, items, render, emptyText) {
    list.replaceChildren();
    if (!items.length) { list.appendChild(el("li", "empty", emptyText)); return; }
    items.forEach(function (it) { list.appendChild(render(it)); });
  }
  function bytes(n) {
    var u = ["B", "KB", "MB", "GB", "TB"], i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return n.toFixed(i ? 1 : 0) + " " + u[i];
  }

  function render(v) {
    view = v; offset = v.now - Date.now(); lastUpdate = Date.now();
    var r = v.recording;
    $("vehicle").textContent = (v.vehicle.name || "camsync") + (v.vehicle.id ? " · " + v.vehicle.id : "");
    var panel = $("state-panel");
    panel.className = "state " + r.state;
    $("state").textContent = r.state === "active" ? "RECORDING" : r.state === "post-roll" ? "POST-ROLL" :
      r.state === "idle" || r.state === "not-recorded" ? "NOT RECORDING" : "DAEMON NOT READY";
    $("reason").textContent = r.state === "idle" ? "Lights, the in-car button, a body cam or Start begin recording." :
      (r.reason || (r.origin ? "Started by " + r.origin : ""));
    $("event-id").textContent = r.eventId ? "Event " + r.eventId : "";
    $("btn-mark").disabled = !(r.state === "active" || r.state === "post-roll");
    $("btn-stop").disabled = r.state !== "active";
    tick();

    fill($("cameras"), v.cameras, function (c) {
      var li = el("li", "row"); li.dataset.name = c.name;
      li.append(el("span", "name", c.name), healthTag(c.health));
      if (c.detail && c.health !== "ok") li.title = c.detail;
      return li;
    }, "No camera reported yet");

    fill($("bodycams"), v.bodycams, function (b) {
      var li = el("li", "row"); li.dataset.id = b.id; li.dataset.confirmed = String(b.confirmed === true);
      var label = el("span", "name", b.id);
      if (b.name && b.name !== b.id) label.append(el("span", "sub", b.name));
      li.append(label);
      // CONFIRMED says it records this event; otherwise show what the cam reports, and whether it is late.
      if (b.confirmed === true) {
        li.append(tag("CONFIRMED" + (b.latencyMs !== null ? " " + Math.round(b.latencyMs) + " ms" : ""), "ok"));
      } else {
        if (b.online === false) li.append(tag("OFFLINE", "bad"));
        else if (b.recording) li.append(tag("REC", "rec"));
        else li.append(b.online ? tag("ONLINE", "ok") : tag("?"));
        if (b.missed) li.append(tag("NOT CONFIRMED", "bad"));
        else if (b.confirmed === false) li.append(tag("WAITING", "warn"));
      }
      if (b.battery !== null) li.append(tag(Math.round(b.battery) + "%", b.battery < 20 ? "bad" : ""));
      return li;
    }, "No body cam paired");

    $("bus").replaceChildren(healthTag(v.bus.health));
    var busText = v.bus.signals.length ? v.bus.signals.map(function (x) { return x.name + " " + x.value; }).join(" · ") : (v.bus.detail || "");
    $("bus-detail").textContent = busText; $("bus-detail").title = busText;
    $("mqtt").replaceChildren(healthTag(v.mqtt.health)); $("mqtt-detail").textContent = v.mqtt.health === "ok" ? "" : (v.mqtt.detail || "");
    $("gps").replaceChildren(healthTag(v.gps.health)); $("gps-detail").textContent = v.gps.fix ? "fix " + v.gps.fix + (v.gps.speedKmh !== null ? " · " + Math.round(v.gps.speedKmh) + " km/h" : "") : (v.gps.detail || "");
    if (v.disk) {
      var pct = Math.round(100 * v.disk.freeBytes / v.disk.totalBytes);
      $("disk").replaceChildren(tag(pct + "% free", pct < 10 ? "bad" : pct < 20 ? "warn" : "ok"));
      $("disk-detail").textContent = bytes(v.disk.freeBytes) + " of " + bytes(v.disk.totalBytes);
    } else { $("disk").replaceChildren(tag("?")); $("disk-detail").textContent = ""; }

    fill($("alerts"), v.alerts, function (a) {
      var li = el("li", a.severity); li.append(el("time", "", a.at ? localTime(a.at) : ""), el("span", "", a.message));
      return li;
    }, "No alerts");
    fill($("recent"), v.recent, function (a) {
      var li = el("li", a.kind); li.append(el("time", "", localTime(a.at)), el("span", "", a.text));
      return li;
    }, "Nothing yet");
  }

  function tick() {
    var now = Date.now() + offset;
    $("clock").textContent = localTime(new Date(now).toISOString());
    var r = view && view.recording;
    $("elapsed").textContent = r && r.startedAt ? duration(now - r.startedAt) : "--:--:--";
    var live = Date.now() - lastUpdate < 5000;
    var link = $("link"); link.className = "link " + (live ? "live" : "lost"); link.textContent = live ? "LIVE" : "NO CONNECTION";
    var stop = $("btn-stop");
    if (stopArmedUntil && Date.now() > stopArmedUntil) { stopArmedUntil = 0; stop.classList.remove("confirm"); stop.textContent = "STOP"; }
  }

  function say(text, isError) { var m = $("message"); m.textContent = text; m.className = "message" + (isError ? " error" : ""); }

  function control(action) {
    var headers = { "content-type": "application/json", "x-camsync-request": "1" };
    if (token) headers.authorization = "Bearer " + token;
    say("Sending " + action + "…");
    fetch("api/control", { method: "POST", headers: headers, body: JSON.stringify({ action: action }) })
      .then(function (res) { return res.json().catch(function () { return { ok: false, message: "HTTP " + res.status }; }); })
      .then(function (out) { say(out.message || (out.ok ? "Done" : "Failed"), !out.ok); })
      .catch(function () { say("No connection to camsync: the command was not sent", true); });
  }

  $("btn-start").addEventListener("click", function () { control("start"); });
  $("btn-mark").addEventListener("click", function () { control("mark"); });
  $("btn-stop").addEventListener("click", function () {
    var stop = $("btn-stop");
    if (!stopArmedUntil) { stopArmedUntil = Date.now() + 4000; stop.classList.add("confirm"); stop.textContent = "TAP TO CONFIRM"; return; }
    stopArmedUntil = 0; stop.classList.remove("confirm"); stop.textContent = "STOP";
    control("stop");
  });

  function connect() {
    var es = new EventSource(withToken("api/events"));
    es.onmessage = function (e) { try { render(JSON.parse(e.data)); } catch (err) { say("Unreadable update from camsync", true); } };
    es.onerror = function () { if (es.readyState === EventSource.CLOSED) { setTimeout(connect, 2000); } };
  }
  connect();
  setInterval(tick, 250);
})();
`;
