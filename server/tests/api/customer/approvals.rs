//! Approval requests: answered on the link and by phone, followed by the card and the
//! history, and every wrong request or answer refused with its reason.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{App, ADVISOR, INTEGRATION, JOB};

fn request_body() -> Value {
    json!({"message": "前刹车片磨损到极限，建议更换", "ops": [
        {"op": "90", "title": "更换前刹车片", "std_hours": 1.5, "price": 680.0,
         "photo": "https://example.invalid/pads.jpg"},
        {"op": "91", "title": "更换雨刮", "std_hours": 0.2, "price": 120.0}]})
}

#[tokio::test]
async fn the_customer_approves_one_op_and_declines_another_and_the_card_and_history_follow() {
    let app = App::new(&[(ADVISOR, "李顾问")]).await;
    app.card().await;
    app.scan(60, "A01", "check_in", json!({})).await;
    app.scan(50, "T01", "start", json!({"op": "10", "bay": "B01"}))
        .await;
    app.scan(
        40,
        "T01",
        "pause",
        json!({"op": "10", "reason": "approval"}),
    )
    .await;
    let job = app.api("GET", JOB, ADVISOR, Value::Null).await.json();
    assert_eq!(job["eta_pending"], "approval", "{job}");

    let a = app
        .api("POST", &format!("{JOB}/approvals"), ADVISOR, request_body())
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let id = a.json()["id"].as_i64().unwrap();
    assert_eq!(a.json()["opened_by"], "李顾问");

    let link = app.link().await;
    let page = app.phone(&link, "198.51.100.20").await;
    for shown in [
        "前刹车片磨损到极限",
        "更换前刹车片",
        "680.00",
        "同意",
        "不需要",
        "等待您确认增项",
    ] {
        assert!(page.text.contains(shown), "{shown} missing: {}", page.text);
    }

    let yes = format!("approval={id}&op=90&answer=approve&lang=zh");
    let a = app.tap(&link, &yes).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
    assert_eq!(
        a.location.as_deref(),
        Some(format!("{link}?lang=zh").as_str())
    );
    // a double tap approves once
    assert_eq!(app.tap(&link, &yes).await.status, StatusCode::SEE_OTHER);
    let no = format!("approval={id}&op=91&answer=decline");
    assert_eq!(app.tap(&link, &no).await.status, StatusCode::SEE_OTHER);
    // a phone answer after the customer's changes nothing
    let phone = json!({"answers": [{"op": "91", "approved": true}]});
    let a = app
        .api(
            "POST",
            &format!("{JOB}/approvals/{id}/answer"),
            ADVISOR,
            phone,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json()["ops"][1]["answer"], "declined", "{}", a.text);

    let job = app.api("GET", JOB, ADVISOR, Value::Null).await.json();
    let ops: Vec<&str> = (job["ops"].as_array().unwrap().iter())
        .map(|o| o["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["10", "90"], "{job}");
    assert_eq!(
        job["eta_pending"],
        Value::Null,
        "the approval wait ended: {job}"
    );
    assert!(job["eta"].is_string(), "{job}");

    let page = app.phone(&link, "198.51.100.20").await;
    assert!(
        page.text.contains("已同意") && page.text.contains("已拒绝"),
        "{}",
        page.text
    );
    assert!(
        !page.text.contains(r#"value="approve""#),
        "no buttons left: {}",
        page.text
    );

    let list = app
        .api("GET", &format!("{JOB}/approvals"), INTEGRATION, Value::Null)
        .await
        .json();
    let item = &list[0]["ops"][0];
    assert_eq!(
        (item["answer"].as_str(), item["answered_by"].as_str()),
        (Some("approved"), Some("customer"))
    );
    assert_eq!(list[0]["answered"], true);

    let history = app
        .api("GET", &format!("{JOB}/history"), ADVISOR, Value::Null)
        .await
        .json();
    let kinds: Vec<(&str, &str)> = (history.as_array().unwrap().iter())
        .map(|v| (v["kind"].as_str().unwrap(), v["who"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("card", "李顾问"),
            ("approval_opened", "李顾问"),
            ("approval_answered", "customer"),
            ("card", "customer"),
            ("approval_answered", "customer"),
            ("card", "customer"),
        ],
        "{history}"
    );
}

#[tokio::test]
async fn wrong_approval_requests_and_answers_are_refused_with_reasons() {
    let app = App::new(&[(ADVISOR, "李顾问")]).await;
    app.card().await;
    let on_card = json!({"ops": [{"op": "10", "title": "x", "std_hours": 1.0, "price": 1.0}]});
    let no_price = json!({"ops": [{"op": "90", "title": "x", "std_hours": 1.0}]});
    let bad_photo = json!({"ops": [{"op": "90", "title": "x", "std_hours": 1.0, "price": 1.0, "photo": "javascript:alert(1)"}]});
    let twice = json!({"ops": [{"op": "90", "title": "x", "std_hours": 1.0, "price": 1.0},
                               {"op": "90", "title": "y", "std_hours": 1.0, "price": 1.0}]});
    let cases = [
        (
            ADVISOR,
            json!({"ops": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "ops must list",
        ),
        (
            ADVISOR,
            on_card,
            StatusCode::UNPROCESSABLE_ENTITY,
            "already on the job card",
        ),
        (ADVISOR, no_price, StatusCode::UNPROCESSABLE_ENTITY, "price"),
        (
            ADVISOR,
            bad_photo,
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo",
        ),
        (
            ADVISOR,
            twice,
            StatusCode::UNPROCESSABLE_ENTITY,
            "listed twice",
        ),
        (INTEGRATION, request_body(), StatusCode::FORBIDDEN, ""),
    ];
    for (token, body, status, words) in cases {
        let a = app
            .api("POST", &format!("{JOB}/approvals"), token, body.clone())
            .await;
        assert_eq!(a.status, status, "{body}: {}", a.text);
        assert!(a.text.contains(words), "{body}: {}", a.text);
    }
    let a = app
        .api(
            "POST",
            "/api/v1/sites/demo/jobs/RO-9/approvals",
            ADVISOR,
            request_body(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text);

    let id = app
        .api("POST", &format!("{JOB}/approvals"), ADVISOR, request_body())
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let answer = |op: &str| json!({"answers": [{"op": op, "approved": true}]});
    let cases = [
        (
            format!("{JOB}/approvals/{id}/answer"),
            answer("77"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not an item",
        ),
        (
            format!("{JOB}/approvals/{}/answer", id + 1),
            answer("90"),
            StatusCode::NOT_FOUND,
            "no approval request",
        ),
        (
            format!("{JOB}/approvals/x/answer"),
            answer("90"),
            StatusCode::NOT_FOUND,
            "no approval request",
        ),
        (
            format!("{JOB}/approvals/{id}/answer"),
            json!({"answers": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty",
        ),
        (
            format!("{JOB}/approvals/{id}/answer"),
            json!({"answers": [{"op": "90", "approved": true}, {"op": "90", "approved": false}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "twice",
        ),
    ];
    for (uri, body, status, words) in cases {
        let a = app.api("POST", &uri, ADVISOR, body.clone()).await;
        assert_eq!(a.status, status, "{uri} {body}: {}", a.text);
        assert!(a.text.contains(words), "{uri}: {}", a.text);
    }
    // a customer's tap with a made-up answer
    let link = app.link().await;
    let a = app
        .tap(&link, &format!("approval={id}&op=90&answer=maybe"))
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
}
