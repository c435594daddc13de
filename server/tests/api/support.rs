//! One running server for a test: the demo site on a fresh SQLite file, the real router, and
//! requests as a client sends them.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bayline_ledger::Ledger;
use bayline_server::AppState;
use bayline_site::SiteConfig;
use bayline_store::Store;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const JOB: &str = "/api/v1/sites/demo/jobs/RO-1";
pub const MANAGER: &str = "demo-manager-token";
pub const ADVISOR: &str = "demo-advisor-token";
pub const INTEGRATION: &str = "demo-integration-token";

/// The host every request is sent to: links the server makes start with it.
pub const HOST: &str = "shop.example.test";

pub struct App {
    pub router: axum::Router,
    pub ledger: Arc<Ledger>,
    _dir: tempfile::TempDir,
}

/// What the server answered.
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub text: String,
}

impl Answer {
    /// The body as JSON; `null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

impl App {
    /// The demo site, the tokens in `names` carrying those `name`s; `X-Forwarded-For` is
    /// trusted, so that a test can speak from several addresses.
    pub async fn new(names: &[(&str, &str)]) -> App {
        let mut config = SiteConfig::demo();
        for (token, name) in names {
            let held = (config.tokens.iter_mut())
                .find(|t| t.token == *token)
                .unwrap();
            held.name = Some(name.to_string());
        }
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/api.db", dir.path().display());
        let store = Store::open(&url).await.unwrap();
        let ledger = Arc::new(Ledger::open(store, vec![config]).await.unwrap());
        let state = AppState::new(ledger.clone()).trusting_forwarded_for(true);
        App {
            router: bayline_server::http::router(state),
            ledger,
            _dir: dir,
        }
    }

    pub async fn request(&self, req: axum::http::request::Builder, body: Body) -> Answer {
        let res = (self.router.clone())
            .oneshot(req.header("host", HOST).body(body).unwrap())
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

    /// `method uri` with `token`, and `body` as JSON unless it is `null`.
    pub async fn api(&self, method: &str, uri: &str, token: &str, body: Value) -> Answer {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"));
        let body = match body {
            Value::Null => Body::empty(),
            body => Body::from(body.to_string()),
        };
        self.request(req, body).await
    }

    /// [`App::api`] as status and body: the JSON, or else the text as a JSON string.
    pub async fn send(
        &self,
        method: &str,
        uri: &str,
        token: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let a = self.api(method, uri, token, body).await;
        let body = match serde_json::from_str(&a.text) {
            Ok(json) => json,
            Err(_) => Value::String(a.text),
        };
        (a.status, body)
    }

    /// A scan of job RO-1, `minutes_ago`, as a manager's correction: the quickest honest way
    /// to move a job along.
    pub async fn scan(&self, minutes_ago: i64, badge: &str, action: &str, more: Value) {
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
}
