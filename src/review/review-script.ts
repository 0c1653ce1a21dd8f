import { REVIEW_TIMELINE_SCRIPT } from "./review-timeline-script.js";

/**
 * The review tab's script (inlined, plain browser JavaScript, no build step). Lists events, plays one
 * event's cameras in sync from one clock (the wall-clock time of the first camera's picture), draws the
 * timeline (trigger, marks, stop, post-roll, body-cam confirmations, signal changes, speed) and a small GPS
 * track (both in review-timeline-script.ts), shows the telemetry cue, tags the event and signs in the
 * officer. Events still recording, and the live view, play through HLS (hls.js: Chromium has no native
 * HLS). Everything from the server is inserted as text, never as HTML.
 */
export const REVIEW_SCRIPT = `
"use strict";
(function () {
  var params = new URLSearchParams(location.search);
  var token = params.get("token");
  var session = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var $ = function (id) { return document.getElementById(id); };
  function q(path, extra) {
    var u = new URL(path, location.href);
    if (token) u.searchParams.set("token", token);
    if (extra) Object.keys(extra).forEach(function (k) { if (extra[k] !== "" && extra[k] !== undefined) u.searchParams.set(k, extra[k]); });
    return u.pathname + u.search;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hms(s) { s = Math.max(0, Math.floor(s)); return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60); }
  function when(iso) { var d = new Date(iso); return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); }
  function getJson(path, extra) {
    var headers = {};
    if (token) headers.authorization = "Bearer " + token;
    return fetch(q(path, extra), { headers: headers }).then(function (r) {
      return r.json().then(function (b) { if (!r.ok) throw new Error(b.message || ("HTTP " + r.status)); return b; });
    });
  }
  function postJson(path, body) {
    var headers = { "content-type": "application/json", "x-camsync-request": "1" };
    if (token) headers.authorization = "Bearer " + token;
    return fetch(q(path), { method: "POST", headers: headers, body: JSON.stringify(body) }).then(function (r) {
      return r.json().then(function (b) { if (!r.ok) throw new Error(b.message || ("HTTP " + r.status)); return b; });
    });
  }
  function say(id, text) { $(id).textContent = text; }
  $("tab-live").href = q("/");

  // ---- list -----------------------------------------------------------------------------------------
  var page = 1;
  function filters() {
    return { from: $("f-from").value, to: $("f-to").value, trigger: $("f-trigger").value, category: $("f-category").value, page: String(page), pageSize: "10" };
  }
  function fillSelect(sel, values) {
    var keep = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    values.forEach(function (v) { var o = el("option", null, v); o.value = v; sel.appendChild(o); });
    sel.value = keep;
  }
  function stateTag(e) {
    if (e.state === "recording") return el("span", "tag rec", "RECORDING");
    if (e.state === "assembling") return el("span", "tag warn", "ASSEMBLING");
    var u = e.upload;
    return el("span", "tag " + (u === "verified" ? "ok" : u === "failed" ? "bad" : ""), u === "local" ? "ON CAR" : u.toUpperCase());
  }
  function loadList() {
    return getJson("/api/review/events", filters()).then(function (r) {
      fillSelect($("f-trigger"), r.triggers);
      fillSelect($("f-category"), r.categories);
      var body = $("events");
      body.replaceChildren();
      r.events.forEach(function (e) {
        var tr = el("tr", "event");
        tr.dataset.id = e.id;
        tr.dataset.state = e.state;
        var confirmed = e.bodycams.filter(function (b) { return b.confirmed; }).length;
        tr.appendChild(el("td", null, when(e.startedAt)));
        tr.appendChild(el("td", null, e.durationSeconds === null ? "--" : hms(e.durationSeconds)));
        tr.appendChild(el("td", null, (e.trigger.reason || e.trigger.kind).slice(0, 28)));
        tr.appendChild(el("td", null, e.marks.length));
        var bc = el("td"); bc.appendChild(el("span", "tag " + (e.bodycams.length && confirmed === e.bodycams.length ? "ok" : e.bodycams.length ? "warn" : ""), e.bodycams.length ? confirmed + "/" + e.bodycams.length : "none")); tr.appendChild(bc);
        var st = el("td"); st.appendChild(stateTag(e)); tr.appendChild(st);
        tr.appendChild(el("td", null, [e.critical ? "CRITICAL" : "", e.category || "", e.caseNumber ? "#" + e.caseNumber : ""].filter(Boolean).join(" · ")));
        tr.addEventListener("click", function () { openEvent(e.id); });
        body.appendChild(tr);
      });
      if (!r.events.length) { var tr = el("tr"); var td = el("td", null, r.loading ? "Reading events…" : "No events match."); td.colSpan = 7; tr.appendChild(td); body.appendChild(tr); }
      var pages = Math.max(1, Math.ceil(r.total / r.pageSize));
      say("page-info", r.total + " events · page " + r.page + " of " + pages);
      $("prev").disabled = r.page <= 1;
      $("next").disabled = r.page >= pages;
    }).catch(function (err) { say("list-message", err.message); });
  }
  ["f-from", "f-to", "f-trigger", "f-category"].forEach(function (id) { $(id).addEventListener("change", function () { page = 1; loadList(); }); });
  $("prev").addEventListener("click", function () { page = Math.max(1, page - 1); loadList(); });
  $("next").addEventListener("click", function () { page += 1; loadList(); });

  // ---- one clock for every camera ------------------------------------------------------------------
  // Each camera's file plays its segments back to back; segments map wall-clock time to media time.
  function wallToMedia(segs, wall) {
    var t = 0;
    for (var i = 0; i < segs.length; i++) {
      var s = segs[i];
      if (wall < s.startMs) return t;
      if (wall < s.startMs + s.durationMs) return t + (wall - s.startMs) / 1000;
      t += s.durationMs / 1000;
    }
    return t;
  }
  function mediaToWall(segs, media) {
    var t = 0;
    for (var i = 0; i < segs.length; i++) {
      var d = segs[i].durationMs / 1000;
      if (media < t + d || i === segs.length - 1) return segs[i].startMs + Math.min(media - t, d) * 1000;
      t += d;
    }
    return 0;
  }
  var current = null; // { event, players: [{camera, video, segs, hls}], fromMs, toMs }
  function leadWall() {
    var p = current && current.players[0];
    return p && p.segs.length ? mediaToWall(p.segs, p.video.currentTime) : null;
  }
  function seekWall(wall) {
    current.players.forEach(function (p) { if (p.segs.length) p.video.currentTime = wallToMedia(p.segs, wall); });
    drawPlayhead();
  }
  function keepInSync() {
    if (!current) { requestAnimationFrame(keepInSync); return; }
    var wall = leadWall();
    if (wall !== null) {
      current.players.slice(1).forEach(function (p) {
        if (!p.segs.length || p.video.seeking) return;
        var target = wallToMedia(p.segs, wall);
        if (Math.abs(p.video.currentTime - target) > 0.3) p.video.currentTime = target;
        if (p.video.paused !== current.players[0].video.paused) { if (current.players[0].video.paused) p.video.pause(); else p.video.play().catch(function () {}); }
      });
      say("time", new Date(wall).toISOString().slice(11, 19) + " UTC · " + hms((wall - current.event.startMs) / 1000) + " after trigger");
      drawPlayhead();
    }
    requestAnimationFrame(keepInSync);
  }

  function stopPlayers() {
    if (livePoll) { clearInterval(livePoll); livePoll = null; }
    if (!current) return;
    current.players.forEach(function (p) { if (p.hls) p.hls.destroy(); p.video.removeAttribute("src"); p.video.load(); });
    $("videos").replaceChildren();
    current = null;
  }
  function showList() {
    stopPlayers();
    $("player-view").classList.add("hidden");
    $("list-view").classList.remove("hidden");
    loadList();
  }
  $("back").addEventListener("click", showList);

  // hls.js is loaded from this server when first needed (a script element carries the token in its URL).
  var hlsLoading = null;
  function loadHls() {
    hlsLoading = hlsLoading || new Promise(function (resolve, reject) {
      var s = el("script");
      s.src = q("/review/hls.js");
      s.onload = function () { resolve(window.Hls); };
      s.onerror = function () { reject(new Error("the HLS player could not be loaded")); };
      document.head.appendChild(s);
    });
    return hlsLoading;
  }
  function attach(video, src, live, player) {
    if (!/\\.m3u8/.test(src)) { video.src = q(src, { viewer: session }); return; }
    loadHls().then(function (Hls) {
      if (!Hls.isSupported()) { video.src = q(src, { viewer: session }); return; }
      if (!current || current.players.indexOf(player) < 0) return;
      player.hls = hlsFor(Hls, video, src, live);
      video.camsyncHls = player.hls; // for tests and benchmarks (latency, levels)
      if (live) video.play().catch(function () {});
    }).catch(function (err) { say("player-message", err.message); });
  }
  function hlsFor(Hls, video, src, live) {
    var cfg = {
      enableWorker: false,
      xhrSetup: function (xhr) { if (token) xhr.setRequestHeader("authorization", "Bearer " + token); },
    };
    if (live) { cfg.liveSyncDuration = 0.5; cfg.liveMaxLatencyDuration = 3; cfg.maxLiveSyncPlaybackRate = 1.5; }
    var hls = new Hls(cfg);
    hls.loadSource(q(src, { viewer: session }));
    hls.attachMedia(video);
    return hls;
  }

  function openEvent(id, part) {
    getJson("/api/review/events/" + encodeURIComponent(id), { part: String(part || 1) }).then(function (r) {
      stopPlayers();
      var ev = r.event;
      $("list-view").classList.add("hidden");
      $("player-view").classList.remove("hidden");
      say("player-title", "Event " + ev.id + (ev.state === "finalized" ? "" : " · " + ev.state.toUpperCase()));
      var players = [];
      var hlsMode = ev.state !== "finalized";
      r.media.forEach(function (m, i) {
        var fig = el("figure");
        var video = el("video");
        video.muted = true; video.playsInline = true; video.preload = "auto";
        video.dataset.camera = m.camera;
        fig.appendChild(video);
        fig.appendChild(el("figcaption", null, m.camera));
        $("videos").appendChild(fig);
        var player = { camera: m.camera, video: video, segs: m.segments, hls: null };
        players.push(player);
        if (i === 0) {
          var track = el("track");
          track.kind = "metadata"; track.default = true; track.src = q(m.telemetry);
          video.appendChild(track);
          track.track.mode = "hidden";
          track.addEventListener("cuechange", function () {
            var c = track.track.activeCues;
            if (c && c.length) say("telemetry", c[0].text);
          });
        }
      });
      current = { event: ev, players: players };
      players.forEach(function (p, i) {
        var m = r.media[i], file = m.files.filter(function (f) { return f.part === r.part; })[0];
        if (hlsMode) attach(p.video, m.hls, false, p);
        else if (file) attach(p.video, file.url, false, p);
      });
      var starts = [], ends = [];
      players.forEach(function (p) { if (p.segs.length) { starts.push(p.segs[0].startMs); var l = p.segs[p.segs.length - 1]; ends.push(l.startMs + l.durationMs); } });
      current.fromMs = starts.length ? Math.min.apply(null, starts) : ev.startMs;
      current.toMs = Math.max(ends.length ? Math.max.apply(null, ends) : 0, ev.endMs || 0, current.fromMs + 1000);
      // after a rollover an event has several files per camera: one button per part
      var partBox = $("parts");
      partBox.replaceChildren();
      if (r.parts.length > 1) r.parts.forEach(function (n) {
        var b = el("button", n === r.part ? "primary" : null, "PART " + n);
        b.addEventListener("click", function () { openEvent(ev.id, n); });
        partBox.appendChild(b);
      });
      drawTimeline(ev);
      drawMap(ev);
      fillTags(ev);
      say("telemetry", "");
      say("player-message", "");
    }).catch(function (err) { say("list-message", err.message); });
  }
  $("play").addEventListener("click", function () {
    if (!current || !current.players.length) return;
    var lead = current.players[0].video;
    if (lead.paused) current.players.forEach(function (p) { p.video.play().catch(function () {}); });
    else current.players.forEach(function (p) { p.video.pause(); });
  });
${REVIEW_TIMELINE_SCRIPT}
  // ---- tags and officer ----------------------------------------------------------------------------
  function fillTags(ev) {
    $("t-category").value = ev.category || "";
    $("t-case").value = ev.caseNumber || "";
    $("t-note").value = "";
    $("t-critical").checked = ev.critical;
    $("t-critical").disabled = ev.critical;
    $("notes").textContent = ev.notes.join("\\n");
    $("save-tags").disabled = ev.state !== "finalized";
  }
  $("save-tags").addEventListener("click", function () {
    if (!current) return;
    var ev = current.event, body = {};
    if ($("t-category").value && $("t-category").value !== ev.category) body.category = $("t-category").value;
    if ($("t-case").value && $("t-case").value !== ev.caseNumber) body.caseNumber = $("t-case").value;
    if ($("t-note").value.trim()) body.note = $("t-note").value.trim();
    if ($("t-critical").checked && !ev.critical) body.critical = true;
    if (!Object.keys(body).length) { say("player-message", "Nothing to save."); return; }
    postJson("/api/review/events/" + encodeURIComponent(ev.id) + "/tag", body).then(function (r) {
      current.event = r.event; fillTags(r.event);
      say("player-message", "Saved (audit entry " + r.result.seq + ").");
    }).catch(function (err) { say("player-message", "Not saved: " + err.message); });
  });
  $("sign-in").addEventListener("click", function () {
    var id = $("officer").value.trim();
    if (!id) return;
    postJson("/api/review/officer", { officer: id }).then(function () { say("officer-message", "Signed in: " + id); })
      .catch(function (err) { say("officer-message", err.message); });
  });

  // ---- live view -----------------------------------------------------------------------------------
  function loadCameras() {
    getJson("/api/status").then(function (v) {
      var box = $("live-cams");
      box.replaceChildren();
      (v.cameras || []).forEach(function (c) {
        var b = el("button", null, "LIVE " + c.name);
        b.dataset.camera = c.name;
        b.addEventListener("click", function () { openLive(c.name); });
        box.appendChild(b);
      });
    }).catch(function () {});
  }
  // The live view polls the camera's preview picture (a few per second, from its running ffmpeg); a camera
  // without preview falls back to HLS over the newest ring segments.
  var livePoll = null;
  function openLive(camera) {
    stopPlayers();
    $("list-view").classList.add("hidden");
    $("player-view").classList.remove("hidden");
    say("player-title", "Live · " + camera);
    var fig = el("figure"), img = el("img");
    img.className = "live-preview"; img.alt = camera + " live"; img.dataset.camera = camera;
    fig.appendChild(img); fig.appendChild(el("figcaption", null, camera + " · LIVE"));
    $("videos").appendChild(fig);
    var path = "/api/review/live/" + encodeURIComponent(camera) + "/preview.jpg", loaded = false, busy = false;
    var headers = token ? { authorization: "Bearer " + token } : {};
    function fallBackToHls() {
      clearInterval(livePoll); livePoll = null;
      fig.removeChild(img);
      var video = el("video");
      video.muted = true; video.playsInline = true; video.autoplay = true; video.dataset.camera = camera;
      fig.insertBefore(video, fig.firstChild);
      current.players = [{ camera: camera, video: video, segs: [], hls: null }];
      attach(video, "/api/review/live/" + encodeURIComponent(camera) + "/index.m3u8", true, current.players[0]);
    }
    // fetched, then shown as a blob once decoded: the picture on screen is always a whole one
    function next() {
      if (busy) return;
      busy = true;
      fetch(path, { headers: headers, cache: "no-store" }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.blob();
      }).then(function (blob) {
        var url = URL.createObjectURL(blob), pre = new Image();
        pre.onload = function () {
          var old = img.src;
          img.src = url;
          if (old && old.indexOf("blob:") === 0) URL.revokeObjectURL(old);
          loaded = true; busy = false;
        };
        pre.onerror = function () { URL.revokeObjectURL(url); busy = false; };
        pre.src = url;
      }).catch(function () {
        busy = false;
        if (!loaded && livePoll) fallBackToHls();
      });
    }
    current = { event: { startMs: Date.now(), timeline: [], marks: [], signals: [], bodycams: [], gpsTrack: [], notes: [] }, players: [], fromMs: Date.now(), toMs: Date.now() + 1000 };
    $("timeline").replaceChildren(); $("map").replaceChildren();
    next();
    livePoll = setInterval(next, 250);
  }

  loadList();
  loadCameras();
  requestAnimationFrame(keepInSync);
})();
`;
