//! History import (contract §7.4) against the same scans over MQTT: two instances, the same
//! job cards, one gets the scans from handhelds, the other as an NDJSON import. Every figure a
//! manager reads must be the same, and stay the same after a restart.

use serde_json::{json, Value};

use crate::helpers::*;

/// `base` + `minutes`, RFC 3339 with the site's offset.
fn at(base: jiff::Timestamp, minutes: i64) -> String {
    (base + jiff::SignedDuration::from_mins(minutes))
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// (scanner, seq, minutes after base, badge, action, fields): a morning of two jobs with a
/// pause, a forgotten op, an anomaly, a rejection and a repeated scan.
fn morning() -> Vec<(&'static str, u64, i64, &'static str, &'static str, Value)> {
    let op = |job: &str, op: &str| json!({"job": job, "op": op});
    let at_bay = |job: &str, op: &str, bay: &str| json!({"job": job, "op": op, "bay": bay});
    vec![
        ("HH-FD", 1, 0, "A01", "check_in", json!({"job": "RO-I1"})),
        ("HH-FD", 2, 2, "A01", "check_in", json!({"job": "RO-I2"})),
        ("HH-01", 1, 5, "T01", "shift_start", json!({})),
        ("HH-02", 1, 6, "T02", "shift_start", json!({})),
        ("HH-01", 2, 10, "T01", "start", at_bay("RO-I1", "10", "B01")),
        ("HH-02", 2, 12, "T02", "start", at_bay("RO-I2", "10", "B02")),
        (
            "HH-01",
            3,
            40,
            "T01",
            "pause",
            json!({"job": "RO-I1", "op": "10", "reason": "parts"}),
        ),
        // Not clocked on: stored, listed as an anomaly.
        (
            "HH-02",
            3,
            45,
            "T03",
            "pause",
            json!({"job": "RO-I2", "op": "10", "reason": "break"}),
        ),
        ("HH-01", 4, 70, "T01", "resume", op("RO-I1", "10")),
        // No such job: rejected, kept for review.
        (
            "HH-02",
            4,
            75,
            "T02",
            "start",
            at_bay("RO-NONE", "10", "B03"),
        ),
        ("HH-01", 5, 100, "T01", "finish", op("RO-I1", "10")),
        (
            "HH-01",
            6,
            101,
            "T01",
            "start",
            at_bay("RO-I1", "20", "B01"),
        ),
        ("HH-02", 5, 130, "T02", "finish", op("RO-I2", "10")),
        // The same scan again (a handheld's retry): a repeat.
        ("HH-02", 5, 130, "T02", "finish", op("RO-I2", "10")),
        ("HH-01", 7, 140, "T01", "finish", op("RO-I1", "20")),
        ("HH-QC", 1, 150, "Q01", "qc_pass", json!({"job": "RO-I1"})),
        ("HH-01", 8, 160, "T01", "shift_end", json!({})),
    ]
}

fn payload(base: jiff::Timestamp, scan: &(&str, u64, i64, &str, &str, Value)) -> Value {
    let (_, seq, minutes, badge, action, fields) = scan;
    let mut body =
        json!({"v": 1, "seq": seq, "ts": at(base, *minutes), "badge": badge, "action": action});
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// What a manager reads about the morning, without what depends on the moment of asking.
async fn figures(app: &TestApp, base: jiff::Timestamp) -> Vec<Value> {
    let from = at(base, -60).replace('+', "%2B");
    let to = at(base, 600).replace('+', "%2B");
    let mut out = Vec::new();
    for path in [
        format!("/api/v1/sites/{SITE}/kpis?from={from}&to={to}"),
        format!("/api/v1/sites/{SITE}/kpis?from={from}&to={to}&group_by=badge"),
        format!("/api/v1/sites/{SITE}/kpis?from={from}&to={to}&group_by=bay"),
        format!("/api/v1/sites/{SITE}/anomalies"),
        format!("/api/v1/sites/{SITE}/jobs/RO-I1"),
        format!("/api/v1/sites/{SITE}/jobs/RO-I2"),
    ] {
        let (status, mut body) = app.get(&path, Some(MANAGER)).await;
        assert_eq!(status, 200, "{path}: {body}");
        if let Some(job) = body.as_object_mut() {
            job.remove("eta");
            job.remove("late");
        }
        out.push(body);
    }
    let (status, rejected) = app
        .get(&format!("/api/v1/sites/{SITE}/rejected"), Some(MANAGER))
        .await;
    assert_eq!(status, 200, "{rejected}");
    // What was rejected and why; the row id and arrival time are the instance's own.
    let rejected: Vec<Value> = (rejected.as_array().unwrap().iter())
        .map(|r| json!([r["scanner"], r["seq"], r["code"], r["detail"], r["raw"]]))
        .collect();
    out.push(Value::Array(rejected));
    out
}

#[tokio::test]
async fn scans_imported_give_the_figures_of_the_same_scans_over_mqtt() {
    let mut over_mqtt = spawn_app().await;
    let mut imported = spawn_app().await;
    for app in [&over_mqtt, &imported] {
        app.put_job("RO-I1", &[("10", 1.0), ("20", 0.5)]).await;
        app.put_job("RO-I2", &[("10", 2.0)]).await;
    }
    // Three days ago, within the 7 days MQTT accepts; whole seconds, so instants are exact.
    let base = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap()
        - jiff::SignedDuration::from_hours(72);
    let scans = morning();

    let mut handhelds = std::collections::BTreeMap::new();
    for scan in &scans {
        if !handhelds.contains_key(scan.0) {
            handhelds.insert(scan.0, over_mqtt.handheld(scan.0).await);
        }
        let hh = handhelds.get_mut(scan.0).unwrap();
        hh.send(payload(base, scan)).await;
    }

    let mut ndjson = String::new();
    for scan in &scans {
        let mut line = payload(base, scan);
        line["scanner"] = json!(scan.0);
        ndjson.push_str(&line.to_string());
        ndjson.push('\n');
    }
    let res = (imported.client)
        .post(imported.url(&format!("/api/v1/sites/{SITE}/scans/import")))
        .bearer_auth(MANAGER)
        .body(ndjson)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["accepted"], 15, "{answer}");
    assert_eq!(answer["anomalies"], 1, "{answer}");
    assert_eq!(answer["rejected"], 1, "{answer}");
    assert_eq!(answer["repeats"], 1, "{answer}");

    let want = figures(&over_mqtt, base).await;
    assert_eq!(figures(&imported, base).await, want);
    assert!(
        want[0]["clocked_hours"].as_f64().unwrap() > 0.0,
        "{}",
        want[0]
    );

    // After a restart each reads its database again: still the same.
    over_mqtt.stop().await;
    imported.stop().await;
    let again = spawn_app_on(&imported.db_url).await;
    assert_eq!(figures(&again, base).await, want);
}
