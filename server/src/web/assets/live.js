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

  if (body.dataset.events && window.EventSource) {
    var es = new EventSource(body.dataset.events);
    ["scan", "job", "correction", "lagged", "change", "message"].forEach(function (name) {
      es.addEventListener(name, soon);
    });
    es.onopen = function () { show(true); soon(); };
    es.onerror = function () { show(false); };
  }
  setInterval(refresh, 30000);
})();
