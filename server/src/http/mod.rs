//! Routes, one module per group; every group exports `router()`, merged here.

pub(crate) mod auth;
mod bays;
mod boards;
pub(crate) mod corrections;
mod error;
pub(crate) mod events;
mod jobs;
mod json;
pub(crate) mod kpis;
mod lounge;
mod ops;
mod review;

pub use auth::Caller;
pub use error::{Error, Result};

use axum::extract::MatchedPath;
use axum::http::Request;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;

/// Largest request body accepted (a job card with many ops is a few KiB).
pub const MAX_BODY: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(jobs::router())
        .merge(bays::router())
        .merge(kpis::router())
        .merge(corrections::router())
        .merge(lounge::router())
        .merge(boards::router())
        .merge(review::router())
        .merge(events::router())
        .merge(ops::router())
        .merge(crate::web::router())
        .fallback(|| async { Error::NotFound("no such route".into()) })
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
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
