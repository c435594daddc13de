// The handheld: provisioning, badge → job card / bay → action buttons, the outbox drained
// over MQTT-over-WebSocket, replies shown large.
"use strict";
const $ = (id) => document.getElementById(id);
const ACTIONS = {
  technician: ["start", "pause", "resume", "finish", "shift_start", "shift_end"],
  qc: ["qc_pass", "qc_fail", "shift_start", "shift_end"],
  washer: ["wash_start", "wash_done", "shift_start", "shift_end"],
  advisor: ["check_in", "ready", "delivered"],
  manager: ["check_in", "start", "pause", "resume", "finish", "qc_pass", "qc_fail", "ready", "delivered"],
};
const LABEL = { start: "开工", pause: "暂停", resume: "继续", finish: "完工", shift_start: "上班", shift_end: "下班",
  qc_pass: "质检通过", qc_fail: "质检不通过", wash_start: "开始洗车", wash_done: "洗车完成", check_in: "接车",
  ready: "待交车", delivered: "已交车", call: "呼叫", answer: "响应呼叫", clear: "解除呼叫" };
const REASONS = { parts: "等件", approval: "等客户确认", break: "休息", shift_end: "下班", other: "其他" };
// Andon: who is called. A call without a scanned bay is at the bay the badge is clocked on at.
const CALLS = { foreman: "班组长", parts: "配件", qc: "质检", tools: "工具", other: "其他" };
let prov, roster = { badges: {}, bays: [] }, outbox, mqtt, ctx = {};
// The last scans and what became of them, newest first, kept on the device: after a Wi-Fi
// gap the technician sees each waiting scan get its own answer.
const LOG_MAX = 8;
let log = [];
// When each waiting scan was last published on the current connection.
let sentAt = new Map();
const RESEND_MS = 10000;

function iso(d) {
  const off = -d.getTimezoneOffset(), p = (n) => String(Math.abs(n)).padStart(2, "0");
  const l = new Date(d.getTime() + off * 60000).toISOString().slice(0, 19);
  return l + (off >= 0 ? "+" : "-") + p(Math.trunc(off / 60)) + ":" + p(off % 60);
}
async function waiting() {
  const n = await outbox.count();
  $("waiting").textContent = n + " 待发送";
  $("waiting").className = n ? "some" : "";
}
function renderLog() {
  const ol = $("log");
  ol.innerHTML = "";
  for (const e of log) {
    const li = document.createElement("li");
    li.dataset.seq = e.seq;
    li.className = e.state;
    li.textContent = (LABEL[e.action] || e.action) + " · " + (e.state === "wait" ? "待发送" : e.msg);
    ol.appendChild(li);
  }
}
// Replies not yet taken out of the outbox. While one batch is written, the next gathers:
// an outbox draining after hours offline is answered hundreds at a time.
let answered = [], taking = false;
async function takeAnswered() {
  if (taking) return;
  taking = true;
  try {
    await takeBatches();
  } finally {
    taking = false;
  }
}
async function takeBatches() {
  while (answered.length) {
    const batch = answered;
    answered = [];
    const mine = await outbox.take(batch.map((r) => r.seq));
    let last = null;
    for (const r of batch) {
      if (!mine.has(r.seq)) continue; // a repeat's reply, already shown
      mine.delete(r.seq);
      sentAt.delete(r.seq);
      const msg = r.msg || r.code || "";
      const e = log.find((x) => x.seq === r.seq);
      if (e) Object.assign(e, { state: r.ok ? "ok" : "bad", msg });
      last = { ok: r.ok, msg };
    }
    if (!last) continue;
    show(last.ok, last.msg);
    renderLog();
    await outbox.set("log", log);
    await waiting();
  }
}
function show(ok, msg) {
  const r = $("reply");
  r.className = "reply " + (ok ? "ok" : "bad");
  r.textContent = msg;
  if (navigator.vibrate) navigator.vibrate(ok ? 60 : [120, 60, 120]);
}
function topic(kind) { return `bayline/${prov.site}/scanners/${prov.id}/${kind}`; }

// Publishes, oldest first, what waits and was not sent on this connection in the last
// RESEND_MS: the broker may have dropped it, or its reply went to a connection now gone.
async function drain() {
  if (!mqtt || !mqtt.up) return;
  const now = Date.now();
  for (const e of await outbox.all()) {
    if (now - (sentAt.get(e.seq) || 0) < RESEND_MS) continue;
    sentAt.set(e.seq, now);
    mqtt.publish(topic("scan"), e.payload);
  }
}
function connect() {
  mqtt = new Mqtt(prov.url, prov.id + "-" + Math.random().toString(36).slice(2, 8), prov.id, prov.secret);
  mqtt.onUp = () => { $("net").textContent = "在线"; $("net").className = "up"; sentAt = new Map(); mqtt.subscribe(topic("reply")); drain(); };
  mqtt.onDown = () => { $("net").textContent = "离线"; $("net").className = "down"; setTimeout(connect, 2000); };
  mqtt.onMessage = (_t, text) => {
    let r;
    try { r = JSON.parse(text); } catch (_) { return; }
    if (r.seq == null) return;
    answered.push(r);
    takeAnswered();
  };
  mqtt.open();
}
setInterval(() => drain(), 2000);

async function send(action, extra) {
  // Said first: a drain already running may publish the scan, and its reply arrive, before
  // the awaits below are done, and the reply must not be covered by this.
  show(true, LABEL[action] || action);
  $("reply").className = "reply";
  const scan = Object.assign({ ts: iso(new Date()), badge: ctx.badge, action }, extra);
  for (const k of ["job", "op", "bay"]) if (scan[k] === undefined && ctx[k]) scan[k] = ctx[k];
  const entry = await outbox.add(scan);
  log.unshift({ seq: entry.seq, action, state: "wait" });
  log.length = Math.min(log.length, LOG_MAX);
  await outbox.set("log", log);
  renderLog();
  await waiting();
  drain();
}
function render() {
  const a = $("actions");
  a.innerHTML = "";
  $("ctx").textContent = ctx.badge
    ? [ctx.badge, ctx.job && "工单 " + ctx.job, ctx.op && "工序 " + ctx.op, ctx.bay && "工位 " + ctx.bay].filter(Boolean).join(" · ")
    : "请扫描工牌";
  $("who").textContent = prov ? prov.id : "—";
  if (!ctx.badge) return;
  const add = (text, fn, cls) => {
    const b = document.createElement("button");
    b.textContent = text; b.type = "button"; if (cls) b.className = cls;
    b.dataset.action = cls || text;
    b.onclick = fn; a.appendChild(b);
  };
  if (ctx.asking === "pause") {
    // The contract's five, then the site's own reasons (training, 6S, tools…) from the roster.
    const reasons = Object.entries(REASONS).concat((roster.pause_reasons || []).map((p) => [p.id, p.label]));
    for (const [r, t] of reasons) add(t, () => { ctx.asking = null; send("pause", { reason: r }); render(); }, "reason-" + r);
    return;
  }
  if (ctx.asking === "call") {
    for (const [r, t] of Object.entries(CALLS)) add(t, () => { ctx.asking = null; send("call", { reason: r }); render(); }, "call-" + r);
    return;
  }
  const role = roster.badges[ctx.badge] || "technician";
  for (const act of ACTIONS[role] || []) {
    if (["start", "pause", "resume", "finish", "qc_pass", "qc_fail", "wash_start", "wash_done", "check_in", "ready", "delivered"].includes(act) && !ctx.job) continue;
    add(LABEL[act], () => {
      if (act === "pause") { ctx.asking = "pause"; render(); return; }
      send(act, act === "qc_fail" ? { reason: "质检不通过" } : {});
    }, "act-" + act);
  }
  add(LABEL.call, () => { ctx.asking = "call"; render(); }, "act-call");
  if (ctx.bay) {
    add(LABEL.answer, () => send("answer", {}), "act-answer");
    add(LABEL.clear, () => send("clear", {}), "act-clear");
  }
}
function line(text) {
  text = text.trim();
  if (!text) return;
  if (roster.badges[text] !== undefined || !ctx.badge) { ctx = { badge: text }; }
  else if (roster.bays.includes(text)) ctx.bay = text;
  else {
    const [job, op] = text.split(/[\s/]+/);
    ctx.job = job; ctx.op = op || ctx.op || "10";
  }
  ctx.asking = null;
  render();
}

// A provisioning code from the manager's handhelds page: `bayline-h1?` and a URL query.
const CODE = "bayline-h1?";
function fromCode(text) {
  text = text.trim();
  if (!text.startsWith(CODE)) return null;
  const q = new URLSearchParams(text.slice(CODE.length));
  const p = { id: q.get("id"), secret: q.get("secret"), site: q.get("site"), url: q.get("broker") };
  return Object.values(p).every(Boolean) ? p : null;
}
async function provision(p) {
  await outbox.set("prov", p);
  location.reload();
}

async function main() {
  outbox = await Outbox.open();
  prov = await outbox.get("prov");
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
  const f = $("prov");
  if (!prov) {
    f.url.value = (location.protocol === "https:" ? "wss://" : "ws://") + location.hostname + ":8083/mqtt";
    f.hidden = false;
    f.onsubmit = (e) => {
      e.preventDefault();
      provision({ id: f.id.value.trim(), secret: f.secret.value, site: f.site.value.trim(), url: f.url.value.trim() });
    };
    const code = $("prov-code");
    code.hidden = false;
    code.onsubmit = (e) => {
      e.preventDefault();
      const p = fromCode(code.code.value);
      code.code.value = "";
      if (p) provision(p);
      else { $("prov-error").hidden = false; $("prov-error").textContent = "不是 bayline 配置二维码"; }
    };
    return;
  }
  // Starts on the roster as last fetched: a Wi-Fi dead spot must not hold up the screen.
  const kept = await outbox.get("roster");
  if (kept) roster = kept;
  else await refreshRoster();
  log = (await outbox.get("log")) || [];
  renderLog();
  $("main").hidden = false;
  $("scan").onsubmit = (e) => { e.preventDefault(); line($("line").value); $("line").value = ""; };
  render();
  await waiting();
  connect();
  if (kept) refreshRoster();
}
async function refreshRoster() {
  try {
    const r = await fetch(`sites/${encodeURIComponent(prov.site)}/roster.json`, { signal: AbortSignal.timeout(10000) });
    if (r.ok) { roster = await r.json(); await outbox.set("roster", roster); render(); }
  } catch (_) { /* offline: the stored roster stands */ }
}
main();
