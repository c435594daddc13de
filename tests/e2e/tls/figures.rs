//! Figures, not a check: scan→reply latency at a fixed rate through the plain and the TLS
//! listener of one bayline, four handhelds publishing on a clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bayline_gateway::BrokerUrl;
use bayline_proto::{topic, Reply};
use hdrhistogram::Histogram;
use rumqttc::{AsyncClient, Event, Packet, QoS};

use super::pki::pki;
use super::{mqtts, up_with_tls};
use crate::helpers::*;

/// Figures, not a check: scan→reply latency at a fixed rate through the plain listener and
/// then the TLS listener of the same bayline. `BAYLINE_TLS_FIGURES=RATE` (scans/s) runs it,
/// `BAYLINE_TLS_SECONDS` sets each phase's length (default 5).
#[tokio::test]
async fn figures_reply_latency_plain_and_tls() {
    let Some(rate) = std::env::var("BAYLINE_TLS_FIGURES")
        .ok()
        .and_then(|r| r.parse::<f64>().ok())
    else {
        eprintln!("skipped: set BAYLINE_TLS_FIGURES=1000 to measure");
        return;
    };
    let seconds: u64 = std::env::var("BAYLINE_TLS_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let pki = pki();
    let (run, port) = up_with_tls(&pki);
    let plain: BrokerUrl = format!("mqtt://{}", run.bayline.must("mqtt"))
        .parse()
        .unwrap();
    let tls = mqtts(port, &pki.ca);
    for (i, (name, url)) in [("plain", plain), ("tls", tls)].into_iter().enumerate() {
        let first_seq = 1 + i as u64 * 10_000_000;
        let h = load(&url, rate, seconds, first_seq).await;
        println!(
            "{name:5}: {} scans at {rate}/s, reply latency mean {:.2} ms, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            h.len(),
            h.mean() / 1000.0,
            h.value_at_quantile(0.5) as f64 / 1000.0,
            h.value_at_quantile(0.99) as f64 / 1000.0,
            h.max() as f64 / 1000.0,
        );
    }
}

const SCANNERS: [(&str, &str); 4] = [
    ("HH-01", "demo-hh01"),
    ("HH-02", "demo-hh02"),
    ("HH-03", "demo-hh03"),
    ("HH-04", "demo-hh04"),
];

type Sent = Arc<Mutex<HashMap<(usize, u64), Instant>>>;

/// `rate` scans a second for `seconds`, spread over four handhelds, each scan's latency
/// from its publish to its reply in microseconds.
async fn load(url: &BrokerUrl, rate: f64, seconds: u64, first_seq: u64) -> Histogram<u64> {
    let sent: Sent = Arc::default();
    let latencies = Arc::new(Mutex::new(
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap(),
    ));
    let mut clients = vec![];
    let mut polls = vec![];
    for (i, (id, secret)) in SCANNERS.into_iter().enumerate() {
        let url = BrokerUrl {
            user: Some(id.into()),
            password: Some(secret.into()),
            ..url.clone()
        };
        let mut o = url.options(&format!("fig-{id}-{}", rand_suffix()));
        o.set_inflight(1000);
        let (client, mut events) = AsyncClient::new(o, 1000);
        client
            .subscribe(topic::reply(SITE, id), QoS::AtLeastOnce)
            .await
            .unwrap();
        let (subscribed, ready) = tokio::sync::oneshot::channel();
        let (sent, latencies) = (sent.clone(), latencies.clone());
        polls.push(tokio::spawn(async move {
            let mut subscribed = Some(subscribed);
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        if let Some(s) = subscribed.take() {
                            let _ = s.send(());
                        }
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        let Ok(r) = serde_json::from_slice::<Reply>(&p.payload) else {
                            continue;
                        };
                        let at = r.seq.and_then(|s| sent.lock().unwrap().remove(&(i, s)));
                        if let Some(at) = at {
                            let us = at.elapsed().as_micros() as u64;
                            latencies.lock().unwrap().saturating_record(us);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => panic!("{id}: {e}"),
                }
            }
        }));
        tokio::time::timeout(DEADLINE, ready)
            .await
            .expect("no SubAck")
            .unwrap();
        clients.push(client);
    }
    let total = (rate * seconds as f64) as u64;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let at = ts(-60);
    for n in 0..total {
        tick.tick().await;
        let i = (n % SCANNERS.len() as u64) as usize;
        let seq = first_seq + n;
        let action = if (n / SCANNERS.len() as u64) % 2 == 0 {
            "shift_start"
        } else {
            "shift_end"
        };
        let badge = format!("T0{}", i + 1);
        let body =
            serde_json::json!({"v": 1, "seq": seq, "ts": at, "badge": badge, "action": action});
        sent.lock().unwrap().insert((i, seq), Instant::now());
        clients[i]
            .publish(
                topic::scan(SITE, SCANNERS[i].0),
                QoS::AtLeastOnce,
                false,
                body.to_string(),
            )
            .await
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while !sent.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "replies missing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for p in polls {
        p.abort();
    }
    let h = latencies.lock().unwrap().clone();
    h
}
