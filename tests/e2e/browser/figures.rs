//! The handheld's figures, measured in real Chromium and printed, never asserted (a loaded
//! CI machine is not a PDA): scan → reply shown over MQTT-over-WebSocket while other
//! handhelds send 1,000 scans/s over TCP, and how fast the outbox drains after an hour
//! offline. Run by hand:
//! `cargo test -p bayline --test e2e handheld_figures -- --ignored --nocapture`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bayline_devtools::bench::site as bench;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};

use super::driver::Browser;
use super::link::Link;
use crate::helpers::*;

/// The other handhelds: each its own connection, sending the bench site's scans on a fixed
/// schedule (QoS 1, not waiting for replies). Returns the count of accepted replies.
fn load(app: &TestApp, lanes: usize, rate: f64, stop: Arc<AtomicU64>) -> Arc<AtomicU64> {
    let accepted = Arc::new(AtomicU64::new(0));
    let period = Duration::from_secs_f64(lanes as f64 / rate);
    for i in 0..lanes {
        let mut o = MqttOptions::new(
            format!("load-{i}-{}", rand_suffix()),
            &app.broker.host,
            app.broker.port,
        );
        o.set_credentials(bench::scanner(i), bench::secret(i))
            .set_inflight(1000)
            .set_keep_alive(Duration::from_secs(30));
        let (client, mut events) = AsyncClient::new(o, 1000);
        let accepted = accepted.clone();
        tokio::spawn(async move {
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        let r: Option<bayline_proto::Reply> =
                            serde_json::from_slice(&p.payload).ok();
                        if r.is_some_and(|r| r.ok) {
                            accepted.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        });
        let stop = stop.clone();
        tokio::spawn(async move {
            let reply = bayline_proto::topic::reply(bench::SITE, &bench::scanner(i));
            client.subscribe(reply, QoS::AtLeastOnce).await.unwrap();
            let topic = bayline_proto::topic::scan(bench::SITE, &bench::scanner(i));
            // Spread the lanes over one period.
            let mut next = tokio::time::Instant::now() + period.mul_f64(i as f64 / lanes as f64);
            let mut n = 0;
            while stop.load(Ordering::Relaxed) == 0 {
                tokio::time::sleep_until(next).await;
                next += period;
                n += 1;
                let body = bench::scan(i, n, &jiff::Timestamp::now().to_string());
                if client
                    .publish(&topic, QoS::AtLeastOnce, false, body)
                    .await
                    .is_err()
                {
                    return;
                }
            }
            let _ = client.disconnect().await;
        });
    }
    accepted
}

/// Taps through `n` pauses and resumes in the app; each scan's time from the tap to its line
/// in the list (stored in the outbox) and to its reply on screen, in milliseconds, measured
/// in the page.
const TAPS: &str = "
    const [n, done] = [arguments[0], arguments[arguments.length - 1]];
    const first = () => document.querySelector('#log li');
    const when = (ok) => new Promise((res) => {
        if (ok()) return res();
        const mo = new MutationObserver(() => { if (ok()) { mo.disconnect(); res(); } });
        mo.observe(document.getElementById('log'), {childList: true, subtree: true, attributes: true});
    });
    (async () => {
        const [lat, queued] = [[], []];
        for (let i = 0; i < n; i++) {
            const before = Number(first() ? first().dataset.seq : 0);
            const t0 = performance.now();
            if (i % 2 === 0) {
                document.querySelector('button.act-pause').click();
                document.querySelector('button.reason-parts').click();
            } else {
                document.querySelector('button.act-resume').click();
            }
            await when(() => first() && Number(first().dataset.seq) > before);
            queued.push(performance.now() - t0);
            await when(() => first().className !== 'wait');
            lat.push(performance.now() - t0);
            if (first().className !== 'ok') return done({error: first().innerText});
        }
        done({lat, queued});
    })();
";

/// Puts `n` scans in the outbox as a technician an hour without Wi-Fi would have: T06 starts
/// RO-FIG2 at B01 an hour ago, then pauses and resumes once a second.
const QUEUE: &str = "
    const [n, done] = [arguments[0], arguments[arguments.length - 1]];
    (async () => {
        const t0 = Date.now() - n * 1000;
        for (let i = 0; i < n; i++) {
            const ts = iso(new Date(t0 + i * 1000));
            const base = {ts, badge: 'T06', job: 'RO-FIG2', op: '10'};
            const scan = i === 0 ? Object.assign(base, {action: 'start', bay: 'B01'})
                : i % 2 === 1 ? Object.assign(base, {action: 'pause', reason: 'parts'})
                : Object.assign(base, {action: 'resume'});
            await outbox.add(scan);
        }
        await waiting();
        done(await outbox.count());
    })();
";

/// Waits for the outbox to empty; milliseconds from now to the first reply and to the last.
const DRAIN: &str = "
    const done = arguments[arguments.length - 1];
    const t0 = performance.now();
    const w = document.getElementById('waiting');
    const total = parseInt(w.innerText, 10);
    let first = null;
    const check = () => {
        const left = parseInt(w.innerText, 10);
        if (first === null && left < total) first = performance.now() - t0;
        if (left === 0) { mo.disconnect(); done({first_ms: first, last_ms: performance.now() - t0}); }
    };
    const mo = new MutationObserver(check);
    mo.observe(w, {childList: true, subtree: true, characterData: true});
";

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement: run by hand with --ignored --nocapture"]
async fn handheld_figures_reply_shown_under_load_and_outbox_drain() {
    let Some(h) = Browser::start().await else {
        return;
    };
    const LANES: usize = 50;
    let site = bayline_site::SiteConfig::parse("bench.toml", &bench::toml(LANES)).unwrap();
    let app = spawn_app_with_sites(vec![site]).await;
    for i in 0..LANES {
        let body = json!({"plate": format!("粤B{i:05}"), "vehicle": "Bench",
            "ops": [{"op": "10", "title": "bench", "std_hours": 1000.0}]});
        let (status, v) = app
            .put(
                &format!("/api/v1/sites/{}/jobs/{}", bench::SITE, bench::job(i)),
                Some(bench::ADVISOR_TOKEN),
                &body,
            )
            .await;
        assert!(status == 201 || status == 200, "{status} {v}");
    }
    app.put_job("RO-FIG1", &[("10", 2.0)]).await;
    app.put_job("RO-FIG2", &[("10", 2.0)]).await;
    let ws = app
        .ws
        .expect("the test app listens for MQTT over WebSocket");
    let broker = Link::to(ws).await;

    h.client.set_window_size(360, 640).await.unwrap();
    h.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(600)),
            None,
            None,
        ))
        .await
        .unwrap();
    h.goto(&app.url("/h/")).await;
    h.until(
        "the provisioning form",
        "!document.getElementById('prov').hidden",
    )
    .await;
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
    for line in ["T07", "RO-FIG1/10", "B03"] {
        h.fill("#line", &format!("{line}\u{E007}")).await;
    }
    h.until(
        "the start button",
        "!!document.querySelector('button.act-start')",
    )
    .await;
    h.click("button.act-start").await;
    h.until(
        "the start's reply",
        "(document.querySelector('#log li') || {}).className === 'ok'",
    )
    .await;

    // Scan → reply shown, quiet and under 1,000 scans/s from other handhelds.
    const TAPS_N: u64 = 300;
    for rate in [0.0, 1000.0] {
        let stop = Arc::new(AtomicU64::new(0));
        let accepted = (rate > 0.0).then(|| load(&app, LANES, rate, stop.clone()));
        let load_from = (
            Instant::now(),
            accepted.as_ref().map_or(0, |a| a.load(Ordering::Relaxed)),
        );
        if rate > 0.0 {
            // Let the load settle first.
            let a = accepted.clone().unwrap();
            tokio::time::timeout(DEADLINE, async {
                while a.load(Ordering::Relaxed) < 2_000 {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
            .await
            .expect("the load is answered");
        }
        let taps = h
            .client
            .execute_async(TAPS, vec![json!(TAPS_N)])
            .await
            .unwrap();
        let sorted = |key: &str| {
            let Some(Value::Array(v)) = taps.get(key) else {
                panic!("the taps failed: {taps}")
            };
            let mut ms: Vec<f64> = v.iter().filter_map(Value::as_f64).collect();
            ms.sort_by(f64::total_cmp);
            ms
        };
        let (ms, queued) = (sorted("lat"), sorted("queued"));
        let achieved = accepted.as_ref().map(|a| {
            let n = a.load(Ordering::Relaxed) - load_from.1;
            n as f64 / load_from.0.elapsed().as_secs_f64()
        });
        stop.store(1, Ordering::Relaxed);
        println!(
            "handheld scan → reply shown over WebSocket, {} taps, other load {}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (tap → in the outbox: p50 {:.1} ms, p99 {:.1} ms)",
            ms.len(),
            achieved.map_or("none".into(), |r| format!("{r:.0} accepted scans/s")),
            percentile(&ms, 0.50),
            percentile(&ms, 0.99),
            ms.last().unwrap(),
            percentile(&queued, 0.50),
            percentile(&queued, 0.99),
        );
    }

    // An hour offline: 3,600 scans queued, then the link comes back.
    broker.cut();
    h.until(
        "the app offline",
        "document.getElementById('net').className === 'down'",
    )
    .await;
    let queued = h
        .client
        .execute_async(QUEUE, vec![json!(3600)])
        .await
        .unwrap();
    let queued = queued.as_u64().unwrap();
    h.until(
        &format!("{queued} waiting"),
        &format!("document.getElementById('waiting').innerText === '{queued} 待发送'"),
    )
    .await;
    broker.restore();
    let drained = h.client.execute_async(DRAIN, vec![]).await.unwrap();
    let (first, last) = (
        drained["first_ms"].as_f64().unwrap(),
        drained["last_ms"].as_f64().unwrap(),
    );
    println!(
        "handheld outbox after an hour offline: {queued} scans, first reply {:.0} ms after the link came back, empty after {:.1} s: {:.0} scans/s",
        first,
        last / 1000.0,
        queued as f64 / ((last - first) / 1000.0)
    );
    let job = app.job("RO-FIG2").await;
    println!(
        "RO-FIG2 clocked after the drain: {:.3} h",
        job["ops"][0]["clocked_hours"].as_f64().unwrap()
    );
    h.close().await;
}
