//! The OpenAPI document of the HTTP API, served at `GET /api/openapi.json`. Each API handler
//! carries its own `#[utoipa::path]` and is routed from it (`utoipa_axum::routes!`), so a route
//! cannot exist without its entry nor the other way round; the board previews, one wildcard
//! route, are named here by the three functions it dispatches to. Every schema is derived from
//! the type a handler reads or answers; `server/tests/api/openapi.rs` checks real answers
//! against the document.

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
    paths(super::boards::lounge, super::boards::workshop, super::boards::tag),
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
}
