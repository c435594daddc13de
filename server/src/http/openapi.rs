//! The OpenAPI document of the HTTP API, served at `GET /api/openapi.json`. Each API handler
//! carries its own `#[utoipa::path]` and is routed from it (`utoipa_axum::routes!`), so a route
//! cannot exist without its entry nor the other way round; the board previews (one wildcard
//! route) and the operator endpoints are described here by hand.

use std::sync::Arc;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "bayline",
        description = "Shop-floor scans, live repair progress, bay boards and workshop figures (contract §5). Errors are `{\"error\":{\"code\",\"message\"}}`. Manager and staff routes take `Authorization: Bearer <token>`, or the browser session cookie set by the sign-in page.",
    ),
    paths(board_lounge, board_workshop, board_bay),
    modifiers(&Security),
    tags(
        (name = "jobs", description = "Job cards (advisor, integration, manager)"),
        (name = "workshop", description = "Bays, figures, review and corrections (manager)"),
        (name = "customer", description = "Status links and approval requests for the customer's phone (advisor, manager)"),
        (name = "public", description = "Lounge feed and board previews: masked plates, no names"),
        (name = "ops", description = "Liveness and metrics"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                super::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// The route that serves `doc`, rendered once.
pub fn serve(doc: &utoipa::openapi::OpenApi) -> Router<AppState> {
    let json: Arc<str> = doc.to_pretty_json().unwrap_or_default().into();
    Router::new().route(
        "/api/openapi.json",
        get(move || {
            let json = json.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    json.to_string(),
                )
                    .into_response()
            }
        }),
    )
}

/// The lounge board as its panel draws it.
#[utoipa::path(get, path = "/boards/{site}/lounge.png", tag = "public",
    params(("site" = String, Path), ("profile" = Option<String>, Query, description = "another panel of the same board")),
    responses((status = 200, description = "PNG", content_type = "image/png"), (status = 404, body = super::schema::ErrorBody)))]
#[allow(dead_code)]
fn board_lounge() {}

/// Every bay at a glance, as the workshop wall draws it.
#[utoipa::path(get, path = "/boards/{site}/workshop.png", tag = "public",
    params(("site" = String, Path), ("profile" = Option<String>, Query, description = "another panel of the same board")),
    responses((status = 200, description = "PNG", content_type = "image/png"), (status = 404, body = super::schema::ErrorBody)))]
#[allow(dead_code)]
fn board_workshop() {}

/// One bay's tag.
#[utoipa::path(get, path = "/boards/{site}/bay/{bay}.png", tag = "public",
    params(("site" = String, Path), ("bay" = String, Path), ("profile" = Option<String>, Query, description = "another panel of the same board")),
    responses((status = 200, description = "PNG", content_type = "image/png"), (status = 404, body = super::schema::ErrorBody)))]
#[allow(dead_code)]
fn board_bay() {}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};
    use bayline_site::SiteConfig;
    use tower::ServiceExt;

    use crate::AppState;

    /// Every path of contract §5's table, as the document must name it.
    const CONTRACT: &[(&str, &str)] = &[
        ("put", "/api/v1/sites/{site}/jobs/{job}"),
        ("get", "/api/v1/sites/{site}/jobs/{job}"),
        ("get", "/api/v1/sites/{site}/jobs"),
        ("get", "/api/v1/sites/{site}/bays"),
        ("get", "/api/v1/sites/{site}/kpis"),
        ("get", "/api/v1/sites/{site}/anomalies"),
        ("get", "/api/v1/sites/{site}/rejected"),
        ("post", "/api/v1/sites/{site}/corrections"),
        ("get", "/api/v1/sites/{site}/lounge"),
        ("get", "/api/v1/sites/{site}/events"),
        ("get", "/boards/{site}/lounge.png"),
        ("get", "/boards/{site}/workshop.png"),
        ("get", "/boards/{site}/bay/{bay}.png"),
        ("get", "/healthz"),
        ("get", "/metrics"),
    ];

    fn operations() -> Vec<(String, String)> {
        let doc = serde_json::to_value(super::super::openapi()).unwrap();
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                    ops.push((method.clone(), path.clone()));
                }
            }
        }
        ops
    }

    #[test]
    fn the_document_names_every_route_of_the_contract() {
        let ops = operations();
        for (method, path) in CONTRACT {
            assert!(
                ops.iter().any(|(m, p)| m == method && p == path),
                "{method} {path} is not in the OpenAPI document"
            );
        }
    }

    #[tokio::test]
    async fn every_documented_operation_is_served_by_a_route() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/doc.db", dir.path().display());
        let store = bayline_store::Store::open(&url).await.unwrap();
        let ledger = bayline_ledger::Ledger::open(store, vec![SiteConfig::demo()])
            .await
            .unwrap();
        let app = super::super::router(AppState::new(Arc::new(ledger)));
        let ops = operations();
        assert!(ops.len() >= CONTRACT.len());
        for (method, path) in ops {
            let uri = path
                .replace("{site}", "demo")
                .replace("{job}", "RO-DOC")
                .replace("{bay}", "B01");
            let req = Request::builder()
                .method(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap())
                .uri(&uri)
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            let text = String::from_utf8_lossy(&body);
            // Not the fallback's "no such route", not a method the route lacks.
            assert!(
                status != StatusCode::METHOD_NOT_ALLOWED && !text.contains("no such route"),
                "{method} {uri}: {status} {text}"
            );
        }
    }

    async fn call(
        app: &axum::Router,
        method: Method,
        uri: &str,
        body: serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", "Bearer demo-manager-token")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    }

    /// The schema the document gives `status` of `method path`, with the document's components
    /// beside it so that its `$ref`s resolve.
    fn answer_schema(
        doc: &serde_json::Value,
        method: &str,
        path: &str,
        status: &str,
    ) -> serde_json::Value {
        let schema = &doc["paths"][path][method]["responses"][status]["content"]
            ["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "{method} {path} {status} has no JSON schema"
        );
        let mut root = schema.clone();
        root["components"] = doc["components"].clone();
        root
    }

    #[tokio::test]
    async fn real_answers_fit_the_document() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/doc.db", dir.path().display());
        let store = bayline_store::Store::open(&url).await.unwrap();
        let ledger = bayline_ledger::Ledger::open(store, vec![SiteConfig::demo()])
            .await
            .unwrap();
        let app = super::super::router(AppState::new(Arc::new(ledger)));
        let doc = serde_json::to_value(super::super::openapi()).unwrap();
        let site = "/api/v1/sites/demo";

        // A real morning: a card with a promise, checked in, one op started and paused for
        // parts, a technician forgetting nothing; made through the API as a manager would.
        let card = serde_json::json!({"plate": "粤B12345", "vehicle": "Camry", "customer": "Zhang San",
            "promised_at": "2030-01-01T17:00:00+08:00",
            "ops": [{"op": "10", "title": "Brakes", "std_hours": 1.5}, {"op": "20", "std_hours": 0.5}]});
        let (status, job) = call(&app, Method::PUT, &format!("{site}/jobs/RO-1"), card).await;
        assert!(status.is_success(), "{status} {job}");
        let now = jiff::Timestamp::now();
        let at = |min: i64| (now - jiff::SignedDuration::from_mins(min)).to_string();
        let events = [
            serde_json::json!({"ts": at(60), "badge": "A01", "action": "check_in", "job": "RO-1"}),
            serde_json::json!({"ts": at(50), "badge": "T01", "action": "start", "job": "RO-1", "op": "10", "bay": "B01"}),
            serde_json::json!({"ts": at(20), "badge": "T01", "action": "pause", "job": "RO-1", "op": "10", "reason": "parts"}),
            serde_json::json!({"ts": at(10), "badge": "T02", "action": "pause", "job": "RO-1", "op": "20", "reason": "break"}),
            serde_json::json!({"ts": at(9), "badge": "T01", "action": "call", "bay": "B01", "reason": "parts"}),
            serde_json::json!({"ts": at(5), "badge": "T02", "action": "answer", "bay": "B01"}),
            serde_json::json!({"ts": at(4), "badge": "T02", "action": "clear", "bay": "B01"}),
            serde_json::json!({"ts": at(3), "badge": "T01", "action": "call", "bay": "B01", "reason": "foreman"}),
        ];
        for event in events {
            let body = serde_json::json!({"kind": "add", "reason": "test", "event": event});
            let (status, answer) =
                call(&app, Method::POST, &format!("{site}/corrections"), body).await;
            assert_eq!(status, StatusCode::CREATED, "{answer}");
        }

        let asks = [
            (
                "/api/v1/sites/{site}/jobs/{job}",
                format!("{site}/jobs/RO-1"),
            ),
            ("/api/v1/sites/{site}/jobs", format!("{site}/jobs")),
            (
                "/api/v1/sites/{site}/jobs/{job}/history",
                format!("{site}/jobs/RO-1/history"),
            ),
            ("/api/v1/sites/{site}/bays", format!("{site}/bays")),
            ("/api/v1/sites/{site}/lounge", format!("{site}/lounge")),
            ("/api/v1/sites/{site}/kpis", format!("{site}/kpis")),
            (
                "/api/v1/sites/{site}/kpis",
                format!("{site}/kpis?group_by=badge"),
            ),
            (
                "/api/v1/sites/{site}/anomalies",
                format!("{site}/anomalies"),
            ),
            ("/api/v1/sites/{site}/calls", format!("{site}/calls")),
            (
                "/api/v1/sites/{site}/corrections",
                format!("{site}/corrections"),
            ),
        ];
        for (path, uri) in asks {
            let (status, answer) = call(&app, Method::GET, &uri, serde_json::Value::Null).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {answer}");
            let schema = answer_schema(&doc, "get", path, "200");
            let validator = jsonschema::validator_for(&schema).unwrap();
            let wrong: Vec<String> = validator
                .iter_errors(&answer)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                wrong.is_empty(),
                "{uri} does not fit the document:\n{}\n{answer:#}",
                wrong.join("\n")
            );
        }
        // The bay and the job are not empty answers that fit anything.
        let (_, bays) = call(
            &app,
            Method::GET,
            &format!("{site}/bays"),
            serde_json::Value::Null,
        )
        .await;
        assert!(
            bays.as_array()
                .unwrap()
                .iter()
                .any(|b| b["bay"] == "B01" && b["job"] == "RO-1"),
            "{bays}"
        );

        // A refusal fits the error body.
        let (status, answer) = call(
            &app,
            Method::GET,
            &format!("{site}/jobs/RO-NONE"),
            serde_json::Value::Null,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let schema = answer_schema(&doc, "get", "/api/v1/sites/{site}/jobs/{job}", "404");
        assert!(jsonschema::is_valid(&schema, &answer), "{answer}");
    }

    #[test]
    fn the_document_rejects_an_answer_of_the_wrong_shape() {
        let doc = serde_json::to_value(super::super::openapi()).unwrap();
        let schema = answer_schema(&doc, "get", "/api/v1/sites/{site}/bays", "200");
        let wrong = serde_json::json!([{"bay": "B01", "state": "asleep"}]);
        assert!(!jsonschema::is_valid(&schema, &wrong));
    }
}
