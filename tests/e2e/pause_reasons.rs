//! A site's own pause reasons (`[[pause_reasons]]` of the demo site: `training` counted as a
//! break, `tools` as other, `sublet` as parts) from the handheld to the reply, the bay, the
//! job's stage, the figures' keys and the handheld app's roster.

use bayline_proto::RejectCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_site_reason_pauses_with_its_label_and_acts_as_its_category() {
    let app = spawn_app().await;
    app.put_job("RO-P1", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-01").await;
    let op = |reason: &str| json!({"job": "RO-P1", "op": "10", "reason": reason});
    assert_ok(
        &hh.scan(
            "T07",
            "start",
            json!({"job": "RO-P1", "op": "10", "bay": "B03"}),
        )
        .await,
    );

    let r = hh.scan("T07", "pause", op("training")).await;
    assert_ok(&r);
    assert!(
        r.msg.contains("晨会/培训"),
        "the reply names the site's label: {r:?}"
    );
    let bay = app.bay("B03").await;
    assert_eq!(
        (bay["state"].as_str(), bay["reason"].as_str()),
        (Some("blocked"), Some("training"))
    );
    assert_eq!(
        app.job("RO-P1").await["stage"],
        "in_progress",
        "a break is no wait"
    );

    assert_ok(
        &hh.scan("T07", "resume", json!({"job": "RO-P1", "op": "10"}))
            .await,
    );
    assert_ok(&hh.scan("T07", "pause", op("sublet")).await);
    assert_eq!(
        app.job("RO-P1").await["stage"],
        "waiting_parts",
        "sublet counts as parts"
    );
}

#[tokio::test]
async fn a_reason_the_site_does_not_list_is_rejected_as_a_bad_payload() {
    let app = spawn_app().await;
    app.put_job("RO-P2", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-01").await;
    assert_ok(
        &hh.scan(
            "T07",
            "start",
            json!({"job": "RO-P2", "op": "10", "bay": "B03"}),
        )
        .await,
    );
    let r = hh
        .scan(
            "T07",
            "pause",
            json!({"job": "RO-P2", "op": "10", "reason": "lunch"}),
        )
        .await;
    assert_eq!(
        (r.ok, r.code),
        (false, Some(RejectCode::BadPayload)),
        "{r:?}"
    );
    assert!(
        r.msg.contains("\"lunch\""),
        "the reply names the reason: {r:?}"
    );
    assert_eq!(app.bay("B03").await["state"], "working", "nothing changed");
}

#[tokio::test]
async fn the_figures_and_the_handheld_roster_carry_every_site_reason() {
    let app = spawn_app().await;
    let (status, k) = app
        .get(&format!("/api/v1/sites/{SITE}/kpis"), Some(MANAGER))
        .await;
    assert_eq!(status, 200, "{k}");
    let by = k["bay_blocked_hours_by_reason"].as_object().unwrap();
    for key in [
        "parts",
        "approval",
        "break",
        "shift_end",
        "other",
        "training",
        "tools",
        "sublet",
    ] {
        assert!(by.contains_key(key), "{key} missing: {k}");
    }

    let (status, roster) = app.get(&format!("/h/sites/{SITE}/roster.json"), None).await;
    assert_eq!(status, 200, "{roster}");
    let ids: Vec<&str> = roster["pause_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["sublet", "tools", "training"], "{roster}");
    assert_eq!(roster["pause_reasons"][2]["label"], "晨会/培训");
}
