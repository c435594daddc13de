// bayline dispatch page: assign, reorder and take back ops through the JSON API (the session
// cookie signs the requests). The page itself re-renders from the event stream (live.js);
// after a swap the focused button is found again, so the keyboard keeps its place, and the
// technician and bay the foreman was choosing for an op are chosen again.
(function () {
  "use strict";
  var root = document.getElementById("dispatch");
  var error = document.getElementById("dispatch-error");
  if (!root) return;
  var api = root.dataset.api, day = root.dataset.day, focusKey = null;
  var picked = {};  // "job/op" → {badge, bay} as chosen, until given
  function keyOf(row) { return row.dataset.job + "/" + row.dataset.op; }
  root.addEventListener("change", function (e) {
    var row = e.target.closest("tr[data-job]");
    if (!row) return;
    picked[keyOf(row)] = {
      badge: row.querySelector("select.pick-badge").value,
      bay: row.querySelector("select.pick-bay").value
    };
  });

  function url(job, op) {
    return api + encodeURIComponent(job) + "/ops/" + encodeURIComponent(op) + "/assignment";
  }

  function send(method, job, op, body) {
    return fetch(url(job, op), {
      method: method,
      credentials: "same-origin",
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (r.ok) return;
      return r.json().then(function (e) { throw new Error(e.error && e.error.message || r.status); },
        function () { throw new Error(r.status); });
    });
  }

  // A queue in the order `items` gives: each op's order is its place, from 1.
  function reorder(badge, items) {
    return items.reduce(function (p, li, i) {
      return p.then(function () {
        var a = { badge: badge, day: li.dataset.day || day, order: i + 1 };
        if (li.dataset.bay) a.bay = li.dataset.bay;
        return send("PUT", li.dataset.job, li.dataset.op, a);
      });
    }, Promise.resolve());
  }

  function act(button) {
    var action = button.dataset.action;
    var row = button.closest("[data-job]");
    if (action === "assign") {
      delete picked[keyOf(row)];
      var badge = row.querySelector("select.pick-badge").value;
      var bay = row.querySelector("select.pick-bay").value;
      var queue = document.querySelector('.queue[data-badge="' + badge + '"] ol');
      var a = { badge: badge, day: day, order: (queue ? queue.children.length : 0) + 1 };
      if (bay) a.bay = bay;
      return send("PUT", row.dataset.job, row.dataset.op, a);
    }
    if (action === "unassign") return send("DELETE", row.dataset.job, row.dataset.op);
    var items = Array.prototype.slice.call(row.parentNode.children);
    var i = items.indexOf(row), j = action === "up" ? i - 1 : i + 1;
    if (j < 0 || j >= items.length) return Promise.resolve();
    items.splice(j, 0, items.splice(i, 1)[0]);
    return reorder(row.closest(".queue").dataset.badge, items);
  }

  root.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-action]");
    if (!button) return;
    focusKey = button.dataset.key;
    button.disabled = true;
    error.hidden = true;
    act(button).then(function () {
      if (window.baylineRefresh) window.baylineRefresh();
    }, function (err) {
      error.textContent = err.message;
      error.hidden = false;
      button.disabled = false;
    });
  });

  // After live.js swaps the part in, put the focus back on the same op's button, or on the
  // moved op's other arrow when that one is now disabled at the end of the queue.
  new MutationObserver(function () {
    root.querySelectorAll("tr[data-job]").forEach(function (row) {
      var p = picked[keyOf(row)];
      if (!p) return;
      row.querySelector("select.pick-badge").value = p.badge;
      row.querySelector("select.pick-bay").value = p.bay;
    });
    if (!focusKey) return;
    var el = root.querySelector('[data-key="' + focusKey + '"]');
    if (el && el.disabled && /^(up|down):/.test(focusKey)) {
      var other = focusKey.indexOf("up:") === 0 ? "down:" + focusKey.slice(3) : "up:" + focusKey.slice(5);
      el = root.querySelector('[data-key="' + other + '"]');
    }
    if (el) el.focus();
  }).observe(root, { childList: true });
})();
