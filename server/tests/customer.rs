//! The customer in the loop (contract §7.5) through the real router, ledger and a fresh
//! SQLite file: the advisor's status link and the page it opens, the same page for every
//! link that does not open, the per-address limit, approvals answered on the link and by
//! phone, and the job's history listing them.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bayline_ledger::Ledger;
use bayline_server::AppState;
use bayline_site::SiteConfig;
use bayline_store::Store;
use serde_json::{json, Value};
use tower::ServiceExt;

const JOB: &str = "/api/v1/sites/demo/jobs/RO-1";
const MANAGER: &str = "demo-manager-token";
const ADVISOR: &str = "demo-advisor-token";
const INTEGRATION: &str = "demo-integration-token";

struct App {
    router: axum::Router,
    ledger: Arc<Ledger>,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

impl App {
    async fn new() -> App {
        let mut config = SiteConfig::demo();
        let advisor = (config.tokens.iter_mut())
            .find(|t| t.token == ADVISOR)
            .unwrap();
        advisor.name = Some("李顾问".into());
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/customer.db", dir.path().display());
        let store = Store::open(&url).await.unwrap();
        let ledger = Arc::new(Ledger::open(store, vec![config]).await.unwrap());
        let state = AppState::new(ledger.clone()).trusting_forwarded_for(true);
        App {
            router: bayline_server::http::router(state),
            ledger,
            _dir: dir,
        }
    }

    async fn request(&self, req: axum::http::request::Builder, body: Body) -> Answer {
        let res = (self.router.clone())
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let location = (res.headers().get("location")).map(|l| l.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .unwrap();
        Answer {
            status,
            location,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn api(&self, method: &str, uri: &str, token: &str, body: Value) -> Answer {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "shop.example.test")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"));
        let body = match body {
            Value::Null => Body::empty(),
            body => Body::from(body.to_string()),
        };
        self.request(req, body).await
    }

    /// A customer's phone at `addr` opens `path`.
    async fn phone(&self, path: &str, addr: &str) -> Answer {
        let req = Request::builder().uri(path).header("x-forwarded-for", addr);
        self.request(req, Body::empty()).await
    }

    /// A tap on a button of the page's form.
    async fn tap(&self, path: &str, form: &str) -> Answer {
        let req = Request::builder()
            .method("POST")
            .uri(format!("{path}/answer"))
            .header("x-forwarded-for", "198.51.100.20")
            .header("content-type", "application/x-www-form-urlencoded");
        self.request(req, Body::from(form.to_string())).await
    }

    async fn scan(&self, minutes_ago: i64, badge: &str, action: &str, more: Value) {
        let ts = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(minutes_ago);
        let mut event =
            json!({"ts": ts.to_string(), "badge": badge, "action": action, "job": "RO-1"});
        for (k, v) in more.as_object().unwrap() {
            event[k] = v.clone();
        }
        let body = json!({"kind": "add", "reason": "test", "event": event});
        let a = self
            .api("POST", "/api/v1/sites/demo/corrections", MANAGER, body)
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }

    async fn card(&self) {
        let card = json!({"plate": "粤B12345", "vehicle": "丰田 凯美瑞", "customer": "李先生",
            "advisor": "A01", "wash": true, "promised_at": "2030-01-01T18:00:00+08:00",
            "ops": [{"op": "10", "title": "保养", "std_hours": 1.0}]});
        let a = self.api("PUT", JOB, ADVISOR, card).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }

    /// A fresh link's path, `/c/{token}`.
    async fn link(&self) -> String {
        let a = self
            .api("POST", &format!("{JOB}/link"), ADVISOR, Value::Null)
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
        let url = a.json()["url"].as_str().unwrap().to_string();
        url.strip_prefix("http://shop.example.test")
            .unwrap()
            .to_string()
    }
}

#[tokio::test]
async fn an_advisor_hands_out_a_link_that_shows_the_car_masked_and_nobody_s_name() {
    let app = App::new().await;
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
    let app = App::new().await;
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
    let app = App::new().await;
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

fn request_body() -> Value {
    json!({"message": "前刹车片磨损到极限，建议更换", "ops": [
        {"op": "90", "title": "更换前刹车片", "std_hours": 1.5, "price": 680.0,
         "photo": "https://example.invalid/pads.jpg"},
        {"op": "91", "title": "更换雨刮", "std_hours": 0.2, "price": 120.0}]})
}

#[tokio::test]
async fn the_customer_approves_one_op_and_declines_another_and_the_card_and_history_follow() {
    let app = App::new().await;
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
    let app = App::new().await;
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
