//! History import (contract §7.4) through the real router, ledger and a fresh SQLite file:
//! what a user importing an earlier system's history sees in the answer and in the figures.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bayline_ledger::Ledger;
use bayline_server::AppState;
use bayline_site::SiteConfig;
use bayline_store::Store;
use serde_json::{json, Value};
use tower::ServiceExt;

const IMPORT: &str = "/api/v1/sites/demo/scans/import";
const MANAGER: &str = "demo-manager-token";
const INTEGRATION: &str = "demo-integration-token";
const ADVISOR: &str = "demo-advisor-token";

/// A Monday two months before any clock this runs on: older than the 7 days MQTT allows.
fn at(hh_mm: &str) -> String {
    format!("2026-10-05T{hh_mm}:00+08:00")
}

struct App {
    router: axum::Router,
    _dir: tempfile::TempDir,
}

impl App {
    async fn new() -> App {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/import.db", dir.path().display());
        let store = Store::open(&url).await.unwrap();
        let ledger = Ledger::open(store, vec![SiteConfig::demo()]).await.unwrap();
        let app = App {
            router: bayline_server::http::router(AppState::new(Arc::new(ledger))),
            _dir: dir,
        };
        let card = json!({"plate": "粤B12345", "vehicle": "Camry", "customer": "Zhang San",
            "advisor": "A01", "promised_at": at("17:00"),
            "ops": [{"op": "10", "title": "Oil", "std_hours": 1.0}, {"op": "20", "title": "Brakes", "std_hours": 2.0}]});
        let (status, body) = app
            .send(
                "PUT",
                "/api/v1/sites/demo/jobs/RO-1",
                Some(MANAGER),
                card.to_string(),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        app
    }

    async fn send(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: impl Into<Body>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json");
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let res = (self.router.clone())
            .oneshot(req.body(body.into()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn import(&self, body: &str) -> Value {
        let (status, answer) = self
            .send("POST", IMPORT, Some(INTEGRATION), body.to_string())
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    async fn get(&self, uri: &str) -> Value {
        let (status, body) = self.send("GET", uri, Some(MANAGER), Body::empty()).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        body
    }

    /// What a manager checks after an import: the job, the day's figures, what was rejected.
    async fn figures(&self) -> (Value, Value, Value) {
        let day = "from=2026-10-05T00:00:00%2B08:00&to=2026-10-06T00:00:00%2B08:00";
        let mut job = self.get("/api/v1/sites/demo/jobs/RO-1").await;
        // The ETA is counted from the clock of the request, the rest from the history.
        job["eta"] = Value::Null;
        (
            job,
            self.get(&format!("/api/v1/sites/demo/kpis?{day}")).await,
            self.get("/api/v1/sites/demo/rejected").await,
        )
    }
}

fn scan(scanner: &str, seq: u64, ts: &str, badge: &str, action: &str, more: Value) -> String {
    let mut line =
        json!({"scanner": scanner, "v": 1, "seq": seq, "ts": ts, "badge": badge, "action": action});
    for (k, v) in more.as_object().unwrap() {
        line[k] = v.clone();
    }
    line.to_string()
}

/// Nine lines: four accepted (one of them an anomaly), a repeat, four rejected of which two
/// could not even be stored.
fn history() -> String {
    let job = json!({"job": "RO-1"});
    let op10 = json!({"job": "RO-1", "op": "10", "bay": "B01"});
    [
        scan("HH-01", 1, &at("09:00"), "A01", "check_in", job.clone()),
        scan("HH-01", 2, &at("09:10"), "T01", "start", op10.clone()),
        "{this is not json".to_string(),
        scan("HH-02", 1, &at("09:20"), "T02", "pause", json!({"job": "RO-1", "op": "20", "reason": "parts"})),
        scan("HH-02", 2, &at("09:30"), "T02", "start", json!({"job": "RO-9", "op": "10", "bay": "B02"})),
        json!({"v": 1, "seq": 9, "ts": at("09:40"), "badge": "T01", "action": "check_in", "job": "RO-1"}).to_string(),
        scan("HH-01", 2, &at("09:10"), "T01", "start", op10),
        scan("HH-01", 3, &at("10:10"), "T01", "finish", json!({"job": "RO-1", "op": "10"})),
        scan("HH-01", 4, "2099-01-01T10:00:00+08:00", "T01", "check_in", job),
    ]
    .join("\n")
}

#[tokio::test]
async fn an_old_history_is_counted_and_its_bad_lines_are_named_by_number() {
    let app = App::new().await;
    let answer = app.import(&history()).await;
    assert_eq!(answer["accepted"], 4, "{answer}");
    assert_eq!(answer["anomalies"], 1, "{answer}");
    assert_eq!(answer["repeats"], 1, "{answer}");
    assert_eq!(answer["rejected"], 4, "{answer}");
    assert_eq!(answer["errors_total"], 4, "{answer}");
    let named: Vec<(u64, &str)> = (answer["errors"].as_array().unwrap().iter())
        .map(|e| (e["line"].as_u64().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [
            (3, "bad_json"),
            (5, "unknown_job"),
            (6, "missing_field"),
            (9, "bad_time")
        ]
    );

    // The month-old work counts: op 10 clocked 09:10→10:10 and finished.
    let (job, kpis, rejected) = app.figures().await;
    let op10 = &job["ops"][0];
    assert_eq!(op10["status"], "finished", "{job}");
    assert!(
        (op10["clocked_hours"].as_f64().unwrap() - 1.0).abs() < 1e-9,
        "{job}"
    );
    assert!(
        (kpis["clocked_hours"].as_f64().unwrap() - 1.0).abs() < 1e-9,
        "{kpis}"
    );
    // The two rejected scans that had a scanner are kept for review, like MQTT's.
    assert_eq!(rejected.as_array().map(Vec::len), Some(2), "{rejected}");
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing() {
    let app = App::new().await;
    app.import(&history()).await;
    let before = app.figures().await;
    let again = app.import(&history()).await;
    assert_eq!(again["accepted"], 0, "{again}");
    assert_eq!(again["anomalies"], 0, "{again}");
    // Every stored line is a repeat; the two lines no scan could be made of are named again.
    assert_eq!(again["repeats"], 7, "{again}");
    assert_eq!(again["rejected"], 2, "{again}");
    assert_eq!(app.figures().await, before);
}

#[tokio::test]
async fn an_import_over_64_mib_is_refused_in_the_error_format() {
    let app = App::new().await;
    let line = scan(
        "HH-01",
        1,
        &at("09:00"),
        "A01",
        "check_in",
        json!({"job": "RO-1"}),
    );
    let mut body = String::with_capacity(64 * 1024 * 1024 + line.len() + 1);
    while body.len() <= 64 * 1024 * 1024 {
        body.push_str(&line);
        body.push('\n');
    }
    let (status, answer) = app.send("POST", IMPORT, Some(MANAGER), body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"]["code"], "too_large", "{answer}");
    // Nothing of it was stored.
    let (job, ..) = app.figures().await;
    assert_eq!(job["checked_in_at"], Value::Null, "{job}");
}

#[tokio::test]
async fn only_an_integration_or_a_manager_may_import() {
    let app = App::new().await;
    let body = history();
    let (status, _) = app.send("POST", IMPORT, None, body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.send("POST", IMPORT, Some("nobody"), body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.send("POST", IMPORT, Some(ADVISOR), body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, answer) = app.send("POST", IMPORT, Some(MANAGER), body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["accepted"], 4, "{answer}");
}
