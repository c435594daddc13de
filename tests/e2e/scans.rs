//! The scan contract (§3.1, §3.2, §4) end to end. Each scenario is a function over a running
//! app so the Mosquitto suite runs the very same checks through an external broker.

use bayline_proto::{RejectCode, WarningCode};
use serde_json::json;

use crate::helpers::*;

pub async fn every_action_walks_a_job_through_every_stage(app: &TestApp) {
    app.put_job("RO-1", &[("10", 1.0), ("20", 0.5)]).await;
    let mut hh = app.handheld("HH-01").await;
    let j = json!({"job": "RO-1"});
    assert_eq!(app.job("RO-1").await["stage"], "booked");

    assert_ok(&hh.scan("A01", "check_in", j.clone()).await);
    assert_eq!(app.job("RO-1").await["stage"], "checked_in");
    assert_ok(&hh.scan("T07", "shift_start", json!({})).await);

    let r = hh
        .scan(
            "T07",
            "start",
            json!({"job": "RO-1", "op": "10", "bay": "B03"}),
        )
        .await;
    assert_ok(&r);
    assert!(r.msg.starts_with("B03"), "{r:?}");
    let job = app.job("RO-1").await;
    assert_eq!(
        (job["stage"].as_str(), job["bay"].as_str()),
        (Some("in_progress"), Some("B03"))
    );
    assert_eq!(job["ops"][0]["status"], "active");
    assert_eq!(job["ops"][0]["badges"], json!(["T07"]));
    assert_eq!(app.bay("B03").await["state"], "working");

    assert_ok(
        &hh.scan(
            "T07",
            "pause",
            json!({"job": "RO-1", "op": "10", "reason": "parts"}),
        )
        .await,
    );
    assert_eq!(app.job("RO-1").await["stage"], "waiting_parts");
    let bay = app.bay("B03").await;
    assert_eq!(
        (bay["state"].as_str(), bay["reason"].as_str()),
        (Some("blocked"), Some("parts"))
    );

    assert_ok(
        &hh.scan("T07", "resume", json!({"job": "RO-1", "op": "10"}))
            .await,
    );
    assert_eq!(app.bay("B03").await["state"], "working");
    assert_ok(
        &hh.scan("T07", "finish", json!({"job": "RO-1", "op": "10"}))
            .await,
    );
    assert_ok(
        &hh.scan(
            "T07",
            "start",
            json!({"job": "RO-1", "op": "20", "bay": "B03"}),
        )
        .await,
    );
    assert_ok(
        &hh.scan("T07", "finish", json!({"job": "RO-1", "op": "20"}))
            .await,
    );
    assert_eq!(app.job("RO-1").await["stage"], "quality_check");
    assert_eq!(
        app.bay("B03").await["state"],
        "idle",
        "a job with every op finished releases its bay"
    );

    assert_ok(
        &hh.scan(
            "Q01",
            "qc_fail",
            json!({"job": "RO-1", "op": "20", "reason": "loose clip"}),
        )
        .await,
    );
    let job = app.job("RO-1").await;
    assert_eq!(job["stage"], "in_progress");
    assert_eq!(
        job["ops"][1]["status"], "paused",
        "qc_fail reopens the op it names"
    );
    assert_eq!(job["ops"][0]["status"], "finished");
    assert_ok(
        &hh.scan(
            "T07",
            "resume",
            json!({"job": "RO-1", "op": "20", "bay": "B03"}),
        )
        .await,
    );
    assert_ok(
        &hh.scan("T07", "finish", json!({"job": "RO-1", "op": "20"}))
            .await,
    );
    assert_ok(&hh.scan("Q01", "qc_pass", j.clone()).await);
    assert_eq!(
        app.job("RO-1").await["stage"],
        "washing",
        "washed by default after QC"
    );
    assert_ok(
        &hh.scan("W01", "wash_start", json!({"job": "RO-1", "bay": "W1"}))
            .await,
    );
    assert_eq!(app.job("RO-1").await["stage"], "washing");
    assert_ok(&hh.scan("W01", "wash_done", j.clone()).await);
    let job = app.job("RO-1").await;
    assert_eq!(job["stage"], "ready");
    assert!(job["ready_at"].is_string());
    assert_eq!(job["progress"], 1.0);
    assert_ok(&hh.scan("A01", "ready", j.clone()).await);
    assert_ok(&hh.scan("A01", "delivered", j.clone()).await);
    let job = app.job("RO-1").await;
    assert_eq!(job["stage"], "delivered");
    assert!(job["delivered_at"].is_string());
    assert_ok(&hh.scan("T07", "shift_end", json!({})).await);

    let (_, lounge) = app.get(&format!("/api/v1/sites/{SITE}/lounge"), None).await;
    assert!(
        lounge.as_array().unwrap().is_empty(),
        "a delivered job leaves the lounge: {lounge}"
    );
}

pub async fn every_reject_code_is_answered_and_stored(app: &TestApp) {
    app.put_job("RO-2", &[("10", 1.0)]).await;
    app.put_job("RO-3", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-02").await;
    let id = hh.id.clone();

    // Without a readable seq the reply carries "seq": null.
    hh.publish_raw(&id, b"{not json".to_vec()).await;
    let r = hh.reply().await;
    assert_eq!(
        (r.ok, r.code, r.seq),
        (false, Some(RejectCode::BadPayload), None)
    );
    let big = format!(r#"{{"v":1,"seq":900,"pad":"{}"}}"#, "x".repeat(8 * 1024));
    let size = big.len();
    hh.publish_raw(&id, big.into_bytes()).await;
    let r = hh.reply().await;
    assert_eq!(
        (r.ok, r.code, r.seq),
        (false, Some(RejectCode::TooLarge), None)
    );

    let cases = [
        (
            json!({"v": 2, "seq": 1, "ts": ts(0), "badge": "T07", "action": "shift_start"}),
            RejectCode::BadVersion,
        ),
        (
            json!({"v": 1, "seq": 2, "ts": ts(0), "badge": "T07", "action": "dance"}),
            RejectCode::UnknownAction,
        ),
        (
            json!({"v": 1, "seq": 3, "ts": ts(0), "badge": "T07", "action": "start", "job": "RO-2", "op": "10"}),
            RejectCode::MissingField,
        ),
        (
            json!({"v": 1, "seq": 4, "ts": ts(0), "badge": "T07", "action": "check_in", "job": "RO-404"}),
            RejectCode::UnknownJob,
        ),
        (
            json!({"v": 1, "seq": 5, "ts": ts(0), "badge": "T07", "action": "finish", "job": "RO-2", "op": "99"}),
            RejectCode::UnknownOp,
        ),
        (
            json!({"v": 1, "seq": 6, "ts": ts(0), "badge": "T07", "action": "start", "job": "RO-2", "op": "10", "bay": "B99"}),
            RejectCode::UnknownBay,
        ),
        (
            json!({"v": 1, "seq": 7, "ts": ts(0), "badge": "X99", "action": "shift_start"}),
            RejectCode::UnknownBadge,
        ),
        (
            json!({"v": 1, "seq": 8, "ts": ts(60), "badge": "T07", "action": "shift_start"}),
            RejectCode::BadTime,
        ),
        (
            json!({"v": 1, "seq": 9, "ts": ts(-8 * 24 * 60), "badge": "T07", "action": "shift_start"}),
            RejectCode::BadTime,
        ),
        (
            json!({"v": 1, "seq": 10, "ts": ts(0), "badge": 7, "action": "shift_start"}),
            RejectCode::BadPayload,
        ),
    ];
    for (body, code) in cases {
        let r = hh.send(body.clone()).await;
        assert_eq!((r.ok, r.code), (false, Some(code)), "{body}: {r:?}");
        assert!(!r.msg.is_empty() && r.msg.chars().count() <= 64);
    }
    let r = hh.send(json!({"v": 1, "seq": 4, "ts": ts(0), "badge": "T07", "action": "check_in", "job": "RO-2"})).await;
    assert_eq!(
        r.code,
        Some(RejectCode::SeqConflict),
        "same seq, other content: {r:?}"
    );

    // bay_busy: RO-2 is being worked at B01, so RO-3 may not start there.
    assert_ok(
        &hh.scan_seq(
            20,
            "T01",
            "start",
            json!({"job": "RO-2", "op": "10", "bay": "B01"}),
        )
        .await,
    );
    let r = hh
        .scan_seq(
            21,
            "T02",
            "start",
            json!({"job": "RO-3", "op": "10", "bay": "B01"}),
        )
        .await;
    assert_eq!(r.code, Some(RejectCode::BayBusy), "{r:?}");
    assert_eq!(
        app.job("RO-3").await["stage"],
        "booked",
        "a rejected scan changes nothing"
    );

    // job_closed: RO-3 delivered (never inspected: applied with no_qc); a later scan on it
    // is refused.
    let r = hh.send(json!({"v": 1, "seq": 22, "ts": ts(-2), "badge": "A01", "action": "delivered", "job": "RO-3"})).await;
    assert!(r.ok && r.warning == Some(WarningCode::NoQc), "{r:?}");
    let r = hh
        .scan_seq(23, "A01", "check_in", json!({"job": "RO-3"}))
        .await;
    assert_eq!(r.code, Some(RejectCode::JobClosed), "{r:?}");

    let (status, rejected) = app
        .get(&format!("/api/v1/sites/{SITE}/rejected"), Some(MANAGER))
        .await;
    assert_eq!(status, 200);
    let rows = rejected.as_array().unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    for code in [
        "bad_payload",
        "too_large",
        "bad_version",
        "unknown_action",
        "missing_field",
        "unknown_job",
        "unknown_op",
        "unknown_bay",
        "unknown_badge",
        "bad_time",
        "seq_conflict",
        "bay_busy",
        "job_closed",
    ] {
        assert!(codes.contains(&code), "{code} not stored: {codes:?}");
    }
    let large = rows.iter().find(|r| r["code"] == "too_large").unwrap();
    assert_eq!(large["size"], size as i64);
    assert!(large["raw"]
        .as_str()
        .unwrap()
        .starts_with(r#"{"v":1,"seq":900"#));
    assert!(
        large["raw"].as_str().unwrap().len() < 1024,
        "only the first bytes are kept"
    );
    let broken = rows
        .iter()
        .find(|r| r["code"] == "bad_payload" && r["seq"].is_null())
        .unwrap();
    assert_eq!(broken["raw"], "{not json");
}

pub async fn a_repeat_gets_the_same_reply_and_changes_nothing(app: &TestApp) {
    app.put_job("RO-4", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-03").await;
    let at = ts(-1);
    let first = hh.send(json!({"v": 1, "seq": 77, "ts": at, "badge": "T03", "action": "start", "job": "RO-4", "op": "10", "bay": "B02"})).await;
    assert_ok(&first);
    let before = app.job("RO-4").await;
    // The same scan again, keys in another order, as a handheld retrying from its outbox.
    let again = hh.send(json!({"bay": "B02", "op": "10", "job": "RO-4", "action": "start", "badge": "T03", "ts": at, "seq": 77, "v": 1})).await;
    assert_eq!(again, first);
    assert_eq!(
        app.stored("HH-03", 77).await,
        1,
        "an exact repeat is not stored again"
    );
    let mut after = app.job("RO-4").await;
    let mut before = before;
    for v in [&mut before, &mut after] {
        // clocked time and progress grow with the clock; the rest must be identical
        v["ops"][0]["clocked_hours"] = json!(0);
        v["progress"] = json!(0);
        v["eta"] = json!(0);
    }
    assert_eq!(after, before);
    // A rejected scan repeated gets its rejection again.
    let r1 = hh.send(json!({"v": 1, "seq": 78, "ts": at, "badge": "T03", "action": "check_in", "job": "NOPE"})).await;
    let r2 = hh.send(json!({"v": 1, "seq": 78, "ts": at, "badge": "T03", "action": "check_in", "job": "NOPE"})).await;
    assert_eq!((r1.code, &r1), (Some(RejectCode::UnknownJob), &r2));
    assert_eq!(app.stored("HH-03", 78).await, 1);
}

pub async fn nonsense_is_kept_with_a_warning_and_listed(app: &TestApp) {
    app.put_job("RO-5", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-04").await;
    let r = hh
        .scan(
            "T05",
            "pause",
            json!({"job": "RO-5", "op": "10", "reason": "break"}),
        )
        .await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.warning, Some(WarningCode::NotClockedOn));
    let (_, anomalies) = app
        .get(&format!("/api/v1/sites/{SITE}/anomalies"), Some(MANAGER))
        .await;
    let a = &anomalies.as_array().unwrap()[0];
    assert_eq!(
        (a["code"].as_str(), a["job"].as_str(), a["badge"].as_str()),
        (Some("not_clocked_on"), Some("RO-5"), Some("T05"))
    );
    assert_eq!(app.job("RO-5").await["ops"][0]["clocked_hours"], 0.0);
}

pub async fn wrong_credentials_and_foreign_topics_get_nothing(app: &TestApp) {
    app.put_job("RO-6", &[("10", 1.0)]).await;
    // Wrong password: the broker refuses the connection.
    let mut o = rumqttc::MqttOptions::new(
        format!("bad-{}", rand_suffix()),
        &app.broker.host,
        app.broker.port,
    );
    o.set_credentials("HH-01", "wrong");
    let (_c, mut events) = rumqttc::AsyncClient::new(o, 8);
    let err = tokio::time::timeout(DEADLINE, events.poll())
        .await
        .expect("no answer to CONNECT");
    assert!(
        matches!(err, Err(rumqttc::ConnectionError::ConnectionRefused(_))),
        "{err:?}"
    );

    // HH-01 publishes a valid scan on HH-02's topic: it must change nothing and get no reply.
    let mut hh1 = app.handheld("HH-01").await;
    let mut hh2 = app.handheld("HH-02").await;
    let forged = json!({"v": 1, "seq": 5000, "ts": ts(0), "badge": "A01", "action": "check_in", "job": "RO-6"});
    hh1.publish_raw("HH-02", forged.to_string().into_bytes())
        .await;
    // A real scan from HH-02 afterwards is answered; the forged one never was.
    let r = hh2.scan_seq(5001, "T02", "shift_start", json!({})).await;
    assert_ok(&r);
    assert_eq!(hh2.pending_reply(), None);
    assert_eq!(app.job("RO-6").await["stage"], "booked");
    assert_eq!(app.stored("HH-02", 5000).await, 0);
    // And HH-01 is still served on its own topic (reconnecting if the broker dropped it).
    let r = hh1.scan_seq(5002, "T01", "shift_start", json!({})).await;
    assert_ok(&r);
}

#[tokio::test]
async fn every_action_walks_a_job_through_every_stage_embedded() {
    every_action_walks_a_job_through_every_stage(&spawn_app().await).await;
}

#[tokio::test]
async fn every_reject_code_is_answered_and_stored_embedded() {
    every_reject_code_is_answered_and_stored(&spawn_app().await).await;
}

#[tokio::test]
async fn a_repeat_gets_the_same_reply_and_changes_nothing_embedded() {
    a_repeat_gets_the_same_reply_and_changes_nothing(&spawn_app().await).await;
}

#[tokio::test]
async fn nonsense_is_kept_with_a_warning_and_listed_embedded() {
    nonsense_is_kept_with_a_warning_and_listed(&spawn_app().await).await;
}

#[tokio::test]
async fn wrong_credentials_and_foreign_topics_get_nothing_embedded() {
    wrong_credentials_and_foreign_topics_get_nothing(&spawn_app().await).await;
}
