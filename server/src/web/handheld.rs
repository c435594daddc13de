//! The technician's handheld app at `/h/` (contract §7.7): static files embedded in the
//! binary, no build step, no CDN. The app speaks MQTT over WebSocket to the broker itself
//! (`handheld/mqtt.js`, a small MQTT 3.1.1 client), keeps its outbox in IndexedDB and works
//! offline once its service worker has cached these files.
//!
//! The only data it reads over HTTP is the site's roster: badge ids with their roles (which
//! actions to offer), the bay ids (to tell a bay label from a job card) and the site's own
//! pause reasons with their labels. No names.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::AppState;

const INDEX: &str = include_str!("handheld/index.html");
const APP: &str = include_str!("handheld/app.js");
const MQTT: &str = include_str!("handheld/mqtt.js");
const OUTBOX: &str = include_str!("handheld/outbox.js");
const SW: &str = include_str!("handheld/sw.js");
const CSS: &str = include_str!("handheld/app.css");
const MANIFEST: &str = include_str!("handheld/manifest.webmanifest");
const ICON: &str = include_str!("handheld/icon.svg");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/h", get(|| async { axum::response::Redirect::to("/h/") }))
        .route("/h/", get(|| file("text/html; charset=utf-8", INDEX)))
        .route("/h/app.js", get(|| file(JS, APP)))
        .route("/h/mqtt.js", get(|| file(JS, MQTT)))
        .route("/h/outbox.js", get(|| file(JS, OUTBOX)))
        .route("/h/sw.js", get(|| file(JS, SW)))
        .route("/h/app.css", get(|| file("text/css; charset=utf-8", CSS)))
        .route(
            "/h/manifest.webmanifest",
            get(|| file("application/manifest+json", MANIFEST)),
        )
        .route("/h/icon.svg", get(|| file("image/svg+xml", ICON)))
        .route("/h/sites/{site}/roster.json", get(roster))
}

const JS: &str = "text/javascript; charset=utf-8";

/// No HTTP caching: the service worker keeps the copies the app runs from, and refreshes
/// them from here whenever the server is reachable.
async fn file(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Badge ids with their roles and the bay ids of a site, for the app to offer the right
/// actions; the names stay on the server.
async fn roster(State(state): State<AppState>, Path(site): Path<String>) -> Response {
    let Some(live) = state.ledger.site(&site) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {"code": "unknown_site", "message": "no such site"}})),
        )
            .into_response();
    };
    let c = &live.config;
    let badges: Map<String, Value> = c
        .staff
        .iter()
        .map(|s| {
            (
                s.badge.to_string(),
                serde_json::to_value(s.role).unwrap_or(Value::Null),
            )
        })
        .collect();
    let bays: Vec<String> = c.bays.iter().map(|b| b.id.to_string()).collect();
    let language = match c.language {
        bayline_proto::Language::Zh => "zh",
        bayline_proto::Language::En => "en",
    };
    // The site's own pause reasons, offered after the five, in the site's language.
    let reasons: Vec<Value> = (c.pause_reasons.0.iter())
        .map(|(id, own)| json!({"id": id.to_string(), "label": own.label(c.language)}))
        .collect();
    Json(json!({
        "site": c.id.to_string(),
        "language": language,
        "badges": badges,
        "bays": bays,
        "pause_reasons": reasons,
    }))
    .into_response()
}
