//! Status links: what the page shows and hides, the one page every link that does not open
//! gets, and the per-address limit on guessing.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{App, ADVISOR, INTEGRATION, JOB, MANAGER};

#[tokio::test]
async fn an_advisor_hands_out_a_link_that_shows_the_car_masked_and_nobody_s_name() {
    let app = App::new(&[(ADVISOR, "李顾问")]).await;
    app.card().await;
    let a = app
        .api("POST", &format!("{JOB}/link"), ADVISOR, Value::Null)
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let body = a.json();
    assert_eq!(body["expires_at"], Value::Null, "{body}");
    let url = body["url"].as_str().unwrap();
    let token = url.strip_prefix("http://shop.example.test/c/").unwrap();
    assert!(token.len() >= 22, "128 bits or more: {token}");

    let page = app.phone(&format!("/c/{token}"), "198.51.100.1").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for shown in [
        "粤B***45",
        "丰田 凯美瑞",
        "接车",
        "维修",
        "质检",
        "洗车",
        "可取车",
        "/assets/customer.css",
    ] {
        assert!(page.text.contains(shown), "{shown} missing: {}", page.text);
    }
    for hidden in ["粤B12345", "李先生", "demo-", "<script src"] {
        assert!(!page.text.contains(hidden), "{hidden} on the page");
    }
    let en = app
        .phone(&format!("/c/{token}?lang=en"), "198.51.100.1")
        .await;
    assert!(
        en.text.contains("Checked in") && en.text.contains(r#"lang="en""#),
        "{}",
        en.text
    );
    let css = app.phone("/assets/customer.css", "198.51.100.1").await;
    assert_eq!(css.status, StatusCode::OK);

    // Only an advisor or a manager hands out links, for a job the site has.
    let refused = [
        (INTEGRATION, JOB.to_string(), StatusCode::FORBIDDEN),
        ("nobody-at-all", JOB.to_string(), StatusCode::UNAUTHORIZED),
        (
            ADVISOR,
            "/api/v1/sites/demo/jobs/RO-404".into(),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (token, job, status) in refused {
        let a = app
            .api("POST", &format!("{job}/link"), token, Value::Null)
            .await;
        assert_eq!(a.status, status, "{job}: {}", a.text);
        assert!(a.json()["error"]["message"].is_string(), "{}", a.text);
    }
    let past = json!({"expires_at": "2020-01-01T00:00:00Z"});
    let a = app.api("POST", &format!("{JOB}/link"), MANAGER, past).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert!(a.text.contains("expires_at"), "{}", a.text);
}

#[tokio::test]
async fn expired_revoked_malformed_and_guessed_links_all_get_the_same_page() {
    let app = App::new(&[(ADVISOR, "李顾问")]).await;
    app.card().await;
    let good = app.link().await;
    let revoked = app.link().await;
    let a = app
        .api("DELETE", &format!("{JOB}/link"), ADVISOR, Value::Null)
        .await;
    assert_eq!(
        (a.status, a.json()["revoked"].as_u64()),
        (StatusCode::OK, Some(2)),
        "{}",
        a.text
    );
    // a link made after the revocation opens
    let fresh = app.link().await;
    assert_eq!(
        app.phone(&fresh, "198.51.100.2").await.status,
        StatusCode::OK
    );
    // one whose own end has passed, written as the store keeps it
    let expired = "A".repeat(43);
    let now = jiff::Timestamp::now();
    (app.ledger.store())
        .put_link(
            &bayline_proto::Id::new("demo").unwrap(),
            &bayline_proto::Id::new("RO-1").unwrap(),
            &sha256_hex(&expired),
            "Li",
            now - jiff::SignedDuration::from_hours(2),
            Some(now - jiff::SignedDuration::from_hours(1)),
        )
        .await
        .unwrap();
    let guessed = format!("/c/{}", "b".repeat(43));
    let pages = [
        good.clone(),
        revoked,
        format!("/c/{expired}"),
        guessed,
        "/c/abc".into(),
        "/c/%00%01".into(),
        format!("{good}x"),
    ];
    let mut bodies = Vec::new();
    for (i, path) in pages.iter().enumerate().skip(1) {
        let a = app.phone(path, "198.51.100.3").await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
        assert!(a.text.contains("此链接无效或已过期"), "{path}: {}", a.text);
        assert!(
            !a.text.contains("demo") && !a.text.contains("粤B"),
            "{}",
            a.text
        );
        bodies.push((i, a.text));
    }
    assert!(
        bodies.windows(2).all(|p| p[0].1 == p[1].1),
        "one page for every reason"
    );
    for tail in ["/live", "/events"] {
        let a = app
            .phone(&format!("/c/{expired}{tail}"), "198.51.100.3")
            .await;
        assert_eq!(
            (a.status, a.text.as_str()),
            (StatusCode::NOT_FOUND, bodies[0].1.as_str())
        );
    }
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(text.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_thousand_wrong_tokens_from_one_address_are_throttled_and_the_right_link_works_from_another(
) {
    let app = App::new(&[(ADVISOR, "李顾问")]).await;
    app.card().await;
    let good = app.link().await;
    let mut throttled = 0;
    for i in 0..1000 {
        let a = app.phone(&format!("/c/{i:043}"), "203.0.113.9").await;
        match a.status {
            StatusCode::NOT_FOUND => {}
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("{other}: {}", a.text),
        }
    }
    assert!(throttled >= 900, "only {throttled} of 1000 throttled");
    // that address is held up even with the right link; another is not
    assert_eq!(
        app.phone(&good, "203.0.113.9").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let other = app.phone(&good, "198.51.100.77").await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text);
}
