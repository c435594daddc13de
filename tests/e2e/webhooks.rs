//! Webhooks (contract §7.5) from the real binary to a real receiver on a local port: the
//! receiver answers 503 for a while, then is gone altogether, bayline is killed with SIGKILL
//! in the middle and started again, the receiver comes back; every event arrives, signed
//! with the site's secret, each job's in order, none lost.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use crate::chaos::system::{free_port, Bayline};
use crate::helpers::*;

pub(crate) const SECRET: &str = "e2e-webhook-secret-0123";

/// The demo site with one receiver on a free local port for `events`, written into `dir`;
/// the site file's path and the receiver's address.
pub(crate) fn site_with_webhook(
    dir: &std::path::Path,
    events: &[&str],
) -> (std::path::PathBuf, SocketAddr) {
    let hook_addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let site = dir.join("site.toml");
    let events = (events.iter().map(|e| format!("{e:?}"))).collect::<Vec<_>>();
    let hooks = format!(
        "\n[[webhooks]]\nurl = \"http://{hook_addr}/hook\"\nsecret = \"{SECRET}\"\nevents = [{}]\n",
        events.join(", ")
    );
    std::fs::write(&site, format!("{}{hooks}", bayline_site::DEMO_SITE)).unwrap();
    (site, hook_addr)
}
/// Long enough for a debug build on a loaded machine to get every retry through.
const ALL_DELIVERED_WITHIN: Duration = Duration::from_secs(90);

#[derive(Default)]
pub(crate) struct Received {
    /// Bodies with a valid signature, in arrival order (repeats included).
    pub bodies: Mutex<Vec<Value>>,
    /// Requests whose signature did not check out.
    pub forged: Mutex<usize>,
    /// Answer 503 to everything while set.
    failing: AtomicBool,
    /// Requests answered 503.
    refused: Mutex<usize>,
}

async fn hook(State(r): State<Arc<Received>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(&body);
    let given = (headers.get("x-bayline-signature"))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("sha256="))
        .and_then(|hex| {
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
                .collect::<Option<Vec<u8>>>()
        });
    if given.is_none_or(|g| mac.verify_slice(&g).is_err()) {
        *r.forged.lock().unwrap() += 1;
        return StatusCode::UNAUTHORIZED;
    }
    if r.failing.load(Ordering::SeqCst) {
        *r.refused.lock().unwrap() += 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    r.bodies
        .lock()
        .unwrap()
        .push(serde_json::from_slice(&body).unwrap());
    StatusCode::NO_CONTENT
}

/// The receiver on `addr` until the returned token is cancelled.
pub(crate) async fn receiver(addr: SocketAddr, r: Arc<Received>) -> CancellationToken {
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(r);
    // The port of a receiver just stopped may take a moment to be free again.
    let listener = tokio::time::timeout(DEADLINE, async {
        loop {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => return l,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    })
    .await
    .expect("the receiver's port stays taken");
    let stop = CancellationToken::new();
    let s = stop.clone();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { s.cancelled().await })
            .await
            .unwrap()
    });
    stop
}

/// The ids delivered so far, and each job's stage events in order (repeats dropped).
pub(crate) fn delivered(r: &Received) -> (BTreeSet<String>, Vec<(String, String)>) {
    let bodies = r.bodies.lock().unwrap();
    let mut ids = BTreeSet::new();
    let mut events = Vec::new();
    for b in bodies.iter() {
        if ids.insert(b["id"].as_str().unwrap().to_string()) {
            let what = match b["event"].as_str().unwrap() {
                "stage" => format!("stage:{}", b["stage"].as_str().unwrap()),
                "approval" => format!("approval:{}", b["state"].as_str().unwrap()),
                other => other.to_string(),
            };
            events.push((b["job"].as_str().unwrap().to_string(), what));
        }
    }
    (ids, events)
}

pub(crate) async fn until_delivered(r: &Received, n: usize) {
    let reached = tokio::time::timeout(ALL_DELIVERED_WITHIN, async {
        while delivered(r).0.len() < n {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    if reached.is_err() {
        panic!("only {:?} of {n} events arrived", delivered(r).1);
    }
}

async fn put_job(http: SocketAddr, job: &str) {
    let card = json!({"plate": "粤B12345", "vehicle": "Camry", "advisor": "A01", "wash": false,
        "ops": [{"op": "10", "title": "保养", "std_hours": 1.0}]});
    let res = reqwest::Client::new()
        .put(format!("http://{http}/api/v1/sites/{SITE}/jobs/{job}"))
        .bearer_auth(ADVISOR)
        .json(&card)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

async fn handheld(mqtt: u16) -> Handheld {
    let broker = bayline_gateway::BrokerUrl {
        host: "127.0.0.1".into(),
        port: mqtt,
        user: None,
        password: None,
        tls: None,
    };
    Handheld::connect(&broker, "HH-01", "demo-hh01").await
}

#[tokio::test]
async fn every_event_reaches_a_receiver_that_fails_and_restarts_across_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let (site, hook_addr) = site_with_webhook(dir.path(), &["stage", "approval", "ready"]);
    let (http, mqtt) = (free_port(), free_port());
    let args: Vec<String> = [
        "--site-config",
        site.to_str().unwrap(),
        "--db",
        &format!("sqlite://{}/b.db", dir.path().display()),
        "--http",
        &format!("127.0.0.1:{http}"),
        "--mqtt-listen",
        &format!("127.0.0.1:{mqtt}"),
        "--mqtt-ws-listen",
        "off",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let received = Arc::new(Received::default());
    let stop_receiver = receiver(hook_addr, received.clone()).await;
    let mut bayline = Bayline::start(args, &dir.path().join("bayline.log")).await;

    // Receiver up: a check-in's stage arrives.
    put_job(bayline.http, "RO-1").await;
    put_job(bayline.http, "RO-2").await;
    let mut hh = handheld(mqtt).await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-1"})).await);
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-2"})).await);
    until_delivered(&received, 2).await;

    // The receiver fails: events queue up; then bayline is killed in the middle of them.
    received.failing.store(true, Ordering::SeqCst);
    let start = json!({"job": "RO-1", "op": "10", "bay": "B01"});
    assert_ok(&hh.scan("T01", "start", start).await);
    let pause = json!({"job": "RO-1", "op": "10", "reason": "approval"});
    assert_ok(&hh.scan("T01", "pause", pause).await);
    let ask = json!({"message": "刹车片", "ops": [{"op": "90", "title": "刹车片", "std_hours": 1.0, "price": 500}]});
    let res = reqwest::Client::new()
        .post(format!(
            "http://{}/api/v1/sites/{SITE}/jobs/RO-1/approvals",
            bayline.http
        ))
        .bearer_auth(ADVISOR)
        .json(&ask)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let start2 = json!({"job": "RO-2", "op": "10", "bay": "B02"});
    assert_ok(&hh.scan("T02", "start", start2).await);
    // At least one attempt was refused before the kill: the events were in the outbox.
    tokio::time::timeout(ALL_DELIVERED_WITHIN, async {
        while *received.refused.lock().unwrap() == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("bayline never tried the failing receiver");
    bayline.kill().await;
    drop(hh);
    // Now the receiver is gone altogether, while bayline comes back and takes more scans.
    stop_receiver.cancel();
    bayline.restart().await;
    // The same handheld again: its seqs go on from where they were.
    let mut hh = handheld(mqtt).await;
    assert_ok(
        &hh.scan_seq(10, "T02", "finish", json!({"job": "RO-2", "op": "10"}))
            .await,
    );
    assert_ok(
        &hh.scan_seq(11, "Q01", "qc_pass", json!({"job": "RO-2"}))
            .await,
    );

    // The receiver is back, answering again.
    received.failing.store(false, Ordering::SeqCst);
    let _receiver = receiver(hook_addr, received.clone()).await;
    // RO-1: checked_in, in_progress, waiting_approval, approval opened;
    // RO-2: checked_in, in_progress, quality_check, ready + its ready event.
    until_delivered(&received, 9).await;
    let (ids, events) = delivered(&received);
    assert_eq!(ids.len(), 9, "{events:?}");
    let of = |job: &str| -> Vec<String> {
        (events.iter())
            .filter(|(j, _)| j == job)
            .map(|(_, e)| e.clone())
            .collect()
    };
    assert_eq!(
        of("RO-1"),
        [
            "stage:checked_in",
            "stage:in_progress",
            "stage:waiting_approval",
            "approval:opened"
        ]
    );
    assert_eq!(
        of("RO-2"),
        [
            "stage:checked_in",
            "stage:in_progress",
            "stage:quality_check",
            "stage:ready",
            "ready"
        ]
    );
    assert_eq!(
        *received.forged.lock().unwrap(),
        0,
        "every signature checks out"
    );
    // /metrics tells the depth (empty once the loop looked again) and the failed attempts.
    let metrics_url = format!("http://{}/metrics", bayline.http);
    let shown = tokio::time::timeout(DEADLINE, async {
        loop {
            let text = reqwest::get(&metrics_url)
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if text.contains("bayline_webhook_outbox_depth 0")
                && text.contains("bayline_webhook_failures_total")
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(
        shown.is_ok(),
        "/metrics never showed an empty outbox and the failures"
    );
    bayline.stop().await;
}
