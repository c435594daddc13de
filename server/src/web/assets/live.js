// bayline live pages: one EventSource per page; on any change (debounced) every element with
// data-live="URL" is re-fetched as a server-rendered fragment and swapped in. No reload, no
// framework. Also refreshes every 30 s, since clocked times and ETAs move with the clock.
(function () {
  "use strict";
  var body = document.body;
  var parts = document.querySelectorAll("[data-live]");
  var status = document.getElementById("live-status");
  // Paged parts (the lounge TV): one .page of each .pages shown at a time, the next every
  // 8 s; a swapped-in fragment keeps showing the page that was on.
  var pageAt = 0;
  function pages() {
    document.querySelectorAll(".pages").forEach(function (el) {
      var all = el.querySelectorAll(".page");
      all.forEach(function (p, i) { p.hidden = i !== pageAt % all.length; });
    });
  }
  setInterval(function () { pageAt++; pages(); }, 8000);
  if (!parts.length) return;
  var timer = null, busy = false, again = false;

  function show(ok) {
    if (!status) return;
    status.textContent = ok ? status.dataset.ok : status.dataset.lost;
    status.className = ok ? "live ok" : "live lost";
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var all = Array.prototype.map.call(parts, function (el) {
      return fetch(el.dataset.live, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) {
          if (r.status === 401 || r.redirected) { location.reload(); return; }
          if (!r.ok) throw new Error(r.status);
          return r.text();
        })
        .then(function (html) { if (html !== undefined) { el.innerHTML = html; pages(); } });
    });
    Promise.all(all).then(function () { show(true); }, function () { show(false); })
      .then(function () {
        busy = false;
        if (again) { again = false; soon(); }
      });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  }
  // A page's own script calls this after a change it made, not to wait for the stream.
  window.baylineRefresh = soon;

  // Browsers start audio only after a gesture on the page: the first click or key unlocks it.
  var audio = null;
  function beep() {
    var A = window.AudioContext || window.webkitAudioContext;
    if (!A) return;
    audio = audio || new A();
    var t = audio.currentTime, o = audio.createOscillator(), g = audio.createGain();
    o.type = "square";
    o.frequency.setValueAtTime(880, t);
    o.frequency.setValueAtTime(660, t + 0.15);
    g.gain.setValueAtTime(0.2, t);
    g.gain.setValueAtTime(0, t + 0.3);
    o.connect(g); g.connect(audio.destination);
    o.start(t); o.stop(t + 0.3);
    body.dataset.beeps = String(Number(body.dataset.beeps || 0) + 1);
  }
  ["click", "keydown"].forEach(function (k) {
    document.addEventListener(k, function () { if (audio && audio.state === "suspended") audio.resume(); });
  });

  if (body.dataset.events && window.EventSource) {
    var es = new EventSource(body.dataset.events);
    ["scan", "call", "job", "correction", "lagged", "change", "message"].forEach(function (name) {
      es.addEventListener(name, soon);
    });
    // A new andon call on a page that shows them: a short beep, made here (no sound file).
    if (document.getElementById("now")) es.addEventListener("call", function (e) {
      var c;
      try { c = JSON.parse(e.data); } catch (_) { return; }
      if (c.action === "call") beep();
    });
    es.onopen = function () { show(true); soon(); };
    es.onerror = function () { show(false); };
  }
  setInterval(refresh, 30000);
})();
