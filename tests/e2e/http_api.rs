//! The HTTP contract (§5): tokens and roles, the error shape, job cards, lounge privacy,
//! live events, health and metrics.

use futures::StreamExt;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn tokens_and_roles_are_enforced_with_the_error_shape() {
    let app = spawn_app().await;
    let bays = format!("/api/v1/sites/{SITE}/bays");
    let (s, body) = app.get(&bays, None).await;
    assert_eq!(s, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(app.get(&bays, Some("not-a-token")).await.0, 401);
    assert_eq!(
        app.get(&bays, Some(ADVISOR)).await.0,
        403,
        "bays are for managers"
    );
    assert_eq!(app.get(&bays, Some(MANAGER)).await.0, 200);
    assert_eq!(
        app.get("/api/v1/sites/nowhere/bays", Some(MANAGER)).await.0,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/sites/{SITE}/jobs"),
            Some("demo-integration-token")
        )
        .await
        .0,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/sites/{SITE}/lounge"), None)
            .await
            .0,
        200,
        "the lounge is public"
    );
}

#[tokio::test]
async fn bad_job_cards_are_refused_with_a_reason() {
    let app = spawn_app().await;
    let path = format!("/api/v1/sites/{SITE}/jobs/RO-9");
    let cases = [
        (
            json!({"ops": [{"op": "10", "std_hours": -1.0}]}),
            422,
            "std_hours",
        ),
        (json!({"ops": [{"op": "1 0", "std_hours": 1.0}]}), 422, "op"),
        (
            json!({"ops": [{"op": "10", "std_hours": 1.0}, {"op": "10", "std_hours": 2.0}]}),
            422,
            "twice",
        ),
        (json!({"ops": "many"}), 422, "ops"),
        (json!({"promised_at": "tomorrow"}), 422, "promised_at"),
    ];
    for (body, status, words) in cases {
        let (s, err) = app.put(&path, Some(ADVISOR), &body).await;
        assert_eq!(s, status, "{body}: {err}");
        assert!(
            err["error"]["message"].as_str().unwrap().contains(words),
            "{err}"
        );
    }
    let res = app
        .client
        .put(app.url(&path))
        .bearer_auth(ADVISOR)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let err: serde_json::Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "bad_request");
    let (s, _) = app
        .put(
            &format!("/api/v1/sites/{SITE}/jobs/RO%20X"),
            Some(ADVISOR),
            &json!({}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        app.get(&format!("/api/v1/sites/{SITE}/jobs/RO-404"), Some(ADVISOR))
            .await
            .0,
        404
    );
    let (s, _) = app
        .put(
            &path,
            Some(ADVISOR),
            &json!({"ops": [{"op": "10", "std_hours": 1.0}]}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, _) = app
        .put(
            &path,
            Some(ADVISOR),
            &json!({"ops": [{"op": "10", "std_hours": 1.5}]}),
        )
        .await;
    assert_eq!(s, 200, "a second PUT updates");
    assert_eq!(app.job("RO-9").await["ops"][0]["std_hours"], 1.5);
}

#[tokio::test]
async fn the_lounge_shows_masked_plates_and_no_names() {
    let app = spawn_app().await;
    app.put_job("RO-7", &[("10", 2.0)]).await;
    let mut hh = app.handheld("HH-01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-7"})).await);
    let (s, lounge) = app.get(&format!("/api/v1/sites/{SITE}/lounge"), None).await;
    assert_eq!(s, 200);
    let text = lounge.to_string();
    assert!(text.contains("粤B***45"), "{text}");
    assert!(
        !text.contains("粤B12345") && !text.contains("Zhang San"),
        "{text}"
    );
    assert_eq!(lounge[0]["stage_label"], "接车");
    let (_, jobs) = app
        .get(
            &format!("/api/v1/sites/{SITE}/jobs?stage=checked_in"),
            Some(ADVISOR),
        )
        .await;
    assert_eq!(jobs.as_array().unwrap().len(), 1);
    let (_, jobs) = app
        .get(
            &format!("/api/v1/sites/{SITE}/jobs?stage=ready"),
            Some(ADVISOR),
        )
        .await;
    assert!(jobs.as_array().unwrap().is_empty());
    assert_eq!(
        app.get(
            &format!("/api/v1/sites/{SITE}/jobs?stage=flying"),
            Some(ADVISOR)
        )
        .await
        .0,
        400
    );
}

#[tokio::test]
async fn live_events_health_and_metrics() {
    let app = spawn_app().await;
    app.put_job("RO-8", &[("10", 2.0)]).await;
    let res = app
        .client
        .get(app.url(&format!("/api/v1/sites/{SITE}/events")))
        .bearer_auth(MANAGER)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let mut stream = res.bytes_stream();
    let mut hh = app.handheld("HH-01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-8"})).await);
    let mut seen = String::new();
    let found = tokio::time::timeout(DEADLINE, async {
        while let Some(Ok(chunk)) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: scan") && seen.contains("\"check_in\"") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "no scan event in: {seen}");

    let (s, health) = app.get("/healthz", None).await;
    assert_eq!((s, health["status"].as_str()), (200, Some("ok")));
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("bayline_scans_total"), "{metrics}");
}
