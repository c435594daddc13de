//! Corrections (contract §4, §5): a manager moves, adds and voids events with a reason; the
//! originals stay visible in the audit trail and the figures follow the corrected timeline.

use bayline_domain::present::printed;
use serde_json::{json, Value};

use crate::helpers::*;

fn at(base: jiff::Timestamp, minutes: i64) -> String {
    (base + jiff::SignedDuration::from_mins(minutes)).to_string()
}

/// The same instant as the API writes it: in the site's offset.
fn at_site(base: jiff::Timestamp, minutes: i64) -> String {
    let t = base + jiff::SignedDuration::from_mins(minutes);
    let offset = bayline_site::SiteConfig::demo().time_zone.to_offset(t);
    t.display_with_offset(offset).to_string()
}

#[tokio::test]
async fn a_late_finish_moved_back_and_a_forgotten_qc_added_change_the_job() {
    let app = spawn_app().await;
    app.put_job("RO-C1", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-02").await;
    let base = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap()
        - jiff::SignedDuration::from_mins(60);
    for (seq, min, badge, action, extra) in [
        (1, -5, "A01", "check_in", json!({})),
        (2, 0, "T07", "start", json!({"op": "10", "bay": "B01"})),
        (3, 50, "T07", "finish", json!({"op": "10"})),
    ] {
        let mut body = json!({"v": 1, "seq": seq, "ts": at(base, min), "badge": badge, "action": action, "job": "RO-C1"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        assert_ok(&hh.send(body).await);
    }
    let clocked = |job: &Value| job["ops"][0]["clocked_hours"].as_f64().unwrap();
    assert_eq!(clocked(&app.job("RO-C1").await), printed(50.0 / 60.0));

    let path = format!("/api/v1/sites/{SITE}/corrections");
    let finish = json!({"ts": at(base, 50), "scanner": "HH-02", "seq": 3});
    let (status, line) = app
        .post(&path, Some(MANAGER), &json!({"kind": "move", "reason": "scanned the finish after lunch", "target": finish, "to_ts": at(base, 30)}))
        .await;
    assert_eq!(status, 201, "{line}");
    assert_eq!(line["before"]["key"]["ts"], at_site(base, 50));
    assert_eq!(line["after"]["key"]["ts"], at_site(base, 30));
    assert!(
        line["correction"]["by"]
            .as_str()
            .unwrap()
            .starts_with("manager-"),
        "{line}"
    );
    // Clocked time follows the corrected finish: 0 → 30 min.
    assert_eq!(clocked(&app.job("RO-C1").await), 0.5);

    let (status, line) = app
        .post(&path, Some(MANAGER), &json!({"kind": "add", "reason": "QC passed on paper", "event": {"ts": at(base, 40), "badge": "Q01", "action": "qc_pass", "job": "RO-C1"}}))
        .await;
    assert_eq!(status, 201, "{line}");
    assert_eq!(line["after"]["key"]["scanner"], "correction");
    assert_eq!(app.job("RO-C1").await["stage"], "washing");

    // The original scan is still there to see, beside what was made of it.
    let (status, trail) = app.get(&path, Some(MANAGER)).await;
    assert_eq!(status, 200, "{trail}");
    let reasons: Vec<&str> = (trail.as_array().unwrap().iter())
        .map(|l| l["correction"]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["scanned the finish after lunch", "QC passed on paper"]
    );
    assert_eq!(trail[0]["before"]["badge"], "T07");

    let (status, line) = app
        .post(&path, Some(MANAGER), &json!({"kind": "void", "reason": "double scan", "target": {"ts": at(base, 40), "scanner": "correction", "seq": 2}}))
        .await;
    assert_eq!(status, 201, "{line}");
    assert_eq!(app.job("RO-C1").await["stage"], "quality_check");
}

#[tokio::test]
async fn corrections_need_a_manager_a_reason_and_a_real_event() {
    let app = spawn_app().await;
    let path = format!("/api/v1/sites/{SITE}/corrections");
    let ghost = json!({"ts": "2026-11-02T08:00:00Z", "scanner": "HH-01", "seq": 99});
    let void = json!({"kind": "void", "reason": "typo", "target": ghost});
    assert_eq!(app.post(&path, None, &void).await.0, 401);
    assert_eq!(app.post(&path, Some(ADVISOR), &void).await.0, 403);
    for (body, status, words) in [
        (void.clone(), 422, "no event"),
        (
            json!({"kind": "void", "reason": "  ", "target": ghost}),
            422,
            "reason",
        ),
        (
            json!({"kind": "rename", "reason": "x"}),
            422,
            "`add`, `move`, `void`",
        ),
        (
            json!({"kind": "add", "reason": "x", "event": {"ts": "2026-11-02T08:00:00Z", "badge": "NOBODY", "action": "check_in", "job": "RO-X"}}),
            422,
            "rejected",
        ),
    ] {
        let (got, answer) = app.post(&path, Some(MANAGER), &body).await;
        assert_eq!(got, status, "{body} → {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{body} → {answer}");
    }
    let (_, trail) = app.get(&path, Some(MANAGER)).await;
    assert_eq!(trail, json!([]));
}
