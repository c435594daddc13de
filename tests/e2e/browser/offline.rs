//! The handheld through a Wi-Fi gap, in real Chromium at a PDA's size: the page and its
//! broker are reached through links the test cuts (real sockets closed, real connects
//! refused). A technician starts a job online, pauses and resumes offline, the app is
//! reloaded offline (its service worker starts it), the job is finished offline; back online,
//! every scan is stored once, in the order it was made, each waiting line shows its own
//! reply, and the job's clocked time is what the scans' own times say.

use bayline_domain::EventKind;
use serde_json::{json, Value};

use super::driver::Browser;
use super::link::Link;
use crate::helpers::*;

/// Types a line into the app as a keyboard-wedge scanner does: the text, then Enter.
async fn scan_line(h: &Browser, text: &str) {
    h.fill("#line", &format!("{text}\u{E007}")).await;
}

fn waiting(n: usize) -> String {
    format!("document.getElementById('waiting').innerText === '{n} 待发送'")
}

/// The app's line for the scan with this seq, as a JavaScript expression (`''` if none).
fn log_line(seq: u64) -> String {
    format!("((document.querySelector('#log li[data-seq=\"{seq}\"]') || {{}}).innerText || '')")
}

fn log_state(seq: u64) -> String {
    format!("((document.querySelector('#log li[data-seq=\"{seq}\"]') || {{}}).className || '')")
}

/// Waits until the page's clock is past the next whole second, so the next scan's time
/// (seconds, as the app sends it) is later than the last one's.
async fn next_second(h: &Browser) {
    let now = h.eval("Date.now()").await.as_f64().unwrap();
    let next = (now / 1000.0).floor() * 1000.0 + 1000.0;
    h.until("the next second", &format!("Date.now() >= {next}"))
        .await;
}

/// What the page loaded: requests, bytes over the wire, and how many came from the service
/// worker. Printed for the measurement notes; never asserted.
async fn load_figures(h: &Browser) -> Value {
    h.eval(
        "(() => {
            const all = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'));
            return {
                requests: all.length,
                bytes: all.reduce((s, e) => s + (e.transferSize || 0), 0),
                body_bytes: all.reduce((s, e) => s + (e.decodedBodySize || 0), 0),
                from_worker: all.filter((e) => e.workerStart > 0).length,
                network: all.filter((e) => !(e.workerStart > 0)).map((e) => e.name),
                load_ms: Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd),
            };
        })()",
    )
    .await
}

#[tokio::test]
async fn offline_scans_through_a_wifi_gap_and_a_reload_arrive_once_in_order_with_their_replies() {
    let Some(h) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let ws = app
        .ws
        .expect("the test app listens for MQTT over WebSocket");
    let web = Link::to(app.http).await;
    let broker = Link::to(ws).await;
    app.put_job("RO-OFF1", &[("10", 2.0)]).await;
    let mut desk = app.handheld("HH-01").await;
    assert_ok(
        &desk
            .scan("A01", "check_in", json!({"job": "RO-OFF1"}))
            .await,
    );

    h.client.set_window_size(360, 640).await.unwrap();
    h.goto(&format!("http://{}/h/", web.addr)).await;
    h.until(
        "the provisioning form",
        "!document.getElementById('prov').hidden",
    )
    .await;
    println!("handheld first load: {}", load_figures(&h).await);
    let secret = bayline_site::SiteConfig::demo()
        .scanner("HH-02")
        .unwrap()
        .secret
        .clone();
    h.fill("#prov [name=id]", "HH-02").await;
    h.fill("#prov [name=secret]", &secret).await;
    h.fill("#prov [name=site]", SITE).await;
    h.fill("#prov [name=url]", &format!("ws://{}/mqtt", broker.addr))
        .await;
    h.click("#prov button").await;
    h.until(
        "the app online",
        "document.getElementById('net').className === 'up'",
    )
    .await;
    h.until(
        "the service worker in charge",
        "!!navigator.serviceWorker.controller",
    )
    .await;
    println!("handheld start, provisioned: {}", load_figures(&h).await);

    // Online: badge, job card, bay, start.
    scan_line(&h, "T07").await;
    scan_line(&h, "RO-OFF1/10").await;
    scan_line(&h, "B03").await;
    h.until(
        "the start button",
        "!!document.querySelector('button.act-start')",
    )
    .await;
    h.click("button.act-start").await;
    h.until(
        "the start's reply",
        &format!("{}.includes('RO-OFF1 工序10 开工')", log_line(1)),
    )
    .await;
    h.until("nothing waiting", &waiting(0)).await;

    // The Wi-Fi gap: both links cut, the app sees its socket close.
    next_second(&h).await;
    web.cut();
    broker.cut();
    h.until(
        "the app offline",
        "document.getElementById('net').className === 'down'",
    )
    .await;
    h.click("button.act-pause").await;
    h.click("button.reason-parts").await;
    h.until("one waiting", &waiting(1)).await;
    next_second(&h).await;
    h.click("button.act-resume").await;
    h.until("two waiting", &waiting(2)).await;
    assert_eq!(h.eval(&log_state(2)).await, json!("wait"));
    assert_eq!(h.eval(&log_state(3)).await, json!("wait"));

    // A reload with no server: the service worker starts the app, the outbox is still there.
    h.client.refresh().await.unwrap();
    h.until(
        "the app after the reload",
        "!document.getElementById('main').hidden",
    )
    .await;
    h.until("two still waiting", &waiting(2)).await;
    assert_eq!(
        h.eval("document.getElementById('net').className").await,
        json!("down")
    );
    let cached = load_figures(&h).await;
    println!("handheld start offline, from its service worker: {cached}");
    // Only the roster goes past the service worker (and fails, offline): the app starts on
    // the one it kept.
    let past_worker = cached["network"].as_array().unwrap();
    assert!(
        past_worker
            .iter()
            .all(|u| u.as_str().unwrap().ends_with("/h/sites/demo/roster.json")),
        "every file of the offline start came from the service worker: {cached}"
    );
    scan_line(&h, "T07").await;
    scan_line(&h, "RO-OFF1/10").await;
    h.until(
        "the finish button",
        "!!document.querySelector('button.act-finish')",
    )
    .await;
    next_second(&h).await;
    h.click("button.act-finish").await;
    h.until("three waiting", &waiting(3)).await;
    h.shot("offline-waiting").await;

    // Back online: the outbox drains by itself.
    web.restore();
    broker.restore();
    h.until(
        "the app online again",
        "document.getElementById('net').className === 'up'",
    )
    .await;
    h.until("nothing waiting", &waiting(0)).await;
    for (seq, reply) in [
        (2, "RO-OFF1 工序10 暂停（等待配件）"),
        (3, "RO-OFF1 工序10 继续"),
        (4, "RO-OFF1 工序10 完工"),
    ] {
        h.until(
            &format!("seq {seq}'s reply"),
            &format!("{}.includes('{reply}')", log_line(seq)),
        )
        .await;
        assert_eq!(h.eval(&log_state(seq)).await, json!("ok"), "seq {seq}");
    }
    h.eval("document.getElementById('log').scrollIntoView(false) || true")
        .await;
    h.shot("offline-drained").await;

    // Stored: each scan once, in the order made, with the device's own times.
    let store = bayline_store::Store::open(&app.db_url).await.unwrap();
    let site = SITE.parse().unwrap();
    let scans: Vec<_> = store
        .scans_between(&site, (0, i64::MAX))
        .await
        .unwrap()
        .into_iter()
        .filter_map(|s| s.event)
        .filter(|e| e.key.scanner.as_str() == "HH-02")
        .collect();
    let seqs: Vec<u64> = scans.iter().map(|e| e.key.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4], "stored in the order made");
    for seq in 1..=4 {
        assert_eq!(
            store.count_scans(&site, "HH-02", seq).await.unwrap(),
            1,
            "seq {seq} stored once"
        );
    }
    let actions: Vec<&str> = scans
        .iter()
        .map(|e| match e.kind {
            EventKind::Start { .. } => "start",
            EventKind::Pause { .. } => "pause",
            EventKind::Resume { .. } => "resume",
            EventKind::Finish { .. } => "finish",
            _ => "other",
        })
        .collect();
    assert_eq!(actions, ["start", "pause", "resume", "finish"]);
    store.close().await;

    // The oracle: worked from start to pause and from resume to finish, by the scans' times.
    let t: Vec<jiff::Timestamp> = scans.iter().map(|e| e.key.ts).collect();
    let oracle = t[1].duration_since(t[0]).as_secs() + t[3].duration_since(t[2]).as_secs();
    assert!(oracle >= 2, "the steps were seconds apart");
    let job = app.job("RO-OFF1").await;
    // Hours as the API prints them: four decimals.
    let clocked = job["ops"][0]["clocked_hours"].as_f64().unwrap();
    let want = bayline_domain::present::printed(oracle as f64 / 3600.0);
    assert_eq!(
        clocked, want,
        "clocked {clocked} h, the scans say {oracle} s"
    );
    h.close().await;
}
