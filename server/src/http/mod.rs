//! Routes, one module per group; every group exports `router()`, merged here.

pub(crate) mod auth;
mod bays;
mod boards;
mod calls;
mod card_history;
pub(crate) mod corrections;
mod csv;
mod customer;
mod dispatch;
mod error;
pub(crate) mod events;
mod import;
mod jobs;
mod json;
pub(crate) mod kpis;
mod loading;
mod local;
mod lounge;
mod openapi;
mod ops;
mod review;

pub use auth::Caller;
pub use error::{Error, Result};
pub use import::MAX_IMPORT;

use axum::extract::MatchedPath;
use axum::http::Request;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;

/// The JSON API's routes and their OpenAPI document, from the same annotations; the import
/// route apart, as it takes bodies far over [`MAX_BODY`].
fn api() -> (Router<AppState>, Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa::OpenApi;
    let (import, import_doc) = import::router().split_for_parts();
    let (api, mut doc) =
        utoipa_axum::router::OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
            .merge(jobs::router())
            .merge(card_history::router())
            .merge(customer::router())
            .merge(bays::router())
            .merge(kpis::router())
            .merge(calls::router())
            .merge(corrections::router())
            .merge(lounge::router())
            .merge(loading::router())
            .merge(dispatch::router())
            .merge(review::router())
            .merge(events::router())
            .merge(ops::router())
            .split_for_parts();
    doc.merge(import_doc);
    (api, import, doc)
}

/// The OpenAPI document of the JSON API (what `GET /api/openapi.json` answers).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().2
}

/// Largest request body accepted (a job card with many ops is a few KiB).
pub const MAX_BODY: usize = 64 * 1024;

/// `/healthz` and `/metrics` alone, answering anything else 404 in the §5 format.
pub fn ops_router(state: AppState) -> Router {
    let (ops, _) = ops::router().split_for_parts();
    ops.fallback(|| async { Error::NotFound("no such route".into()) })
        .with_state(state)
}

pub fn router(state: AppState) -> Router {
    let (api, import, doc) = api();
    let site_terms = axum::middleware::from_fn_with_state(state.clone(), local::site_terms);
    api.layer(site_terms)
        .merge(openapi::serve(&doc))
        .merge(boards::router())
        .merge(crate::web::router())
        .merge(crate::web::customer::router(state.clone()))
        .fallback(|| async { Error::NotFound("no such route".into()) })
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .merge(import)
        .layer(axum::middleware::map_response(error::framework_errors))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let path = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map(MatchedPath::as_str)
                    .unwrap_or("");
                tracing::info_span!("http", method = %req.method(), matched_path = path)
            }),
        )
        .with_state(state)
}
