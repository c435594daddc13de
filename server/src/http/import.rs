//! `POST /api/v1/sites/{site}/scans/import` (contract §7.4): a clocking history as NDJSON, one
//! §3.1 scan a line plus `"scanner"`, judged and stored by [`Ledger::import`].
//!
//! The route has its own body limit ([`MAX_IMPORT`]) instead of the API's 64 KiB, so it is
//! routed beside the other routes rather than among them. The import runs on a task of its
//! own: a client that hangs up cannot drop it between a commit and showing what was
//! committed; it stops at the next chunk instead.
//!
//! [`Ledger::import`]: bayline_ledger::Ledger::import

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use bayline_ledger::{ImportError, ImportSummary};
use bayline_site::TokenRole;
use tokio_util::sync::CancellationToken;
use tower_http::limit::RequestBodyLimitLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Caller, Error, Result};
use crate::AppState;

/// Largest import body (contract §7.4): 64 MiB, about 400 000 scans.
pub const MAX_IMPORT: usize = 64 * 1024 * 1024;

/// Who may import: an earlier system's integration, or a manager.
const IMPORTERS: &[TokenRole] = &[TokenRole::Integration, TokenRole::Manager];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(MAX_IMPORT))
}

/// Imports a clocking history: NDJSON, one scan a line with its `scanner` (contract §7.4).
#[utoipa::path(post, path = "/api/v1/sites/{site}/scans/import", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id")),
    request_body(content = String, content_type = "application/x-ndjson", description = "one §3.1 scan a line, plus \"scanner\""),
    responses((status = 200, body = ImportSummary), (status = 413, description = "over 64 MiB", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    body: Bytes,
) -> Result<axum::Json<ImportSummary>> {
    let live = caller.site(&state, &site, IMPORTERS)?;
    let site = live.config.id.clone();
    let ledger = state.ledger.clone();
    let cancel = CancellationToken::new();
    // Dropped with this handler (the client hung up): the import stops at its next chunk.
    let _stop = cancel.clone().drop_guard();
    let task = tokio::spawn(async move {
        ledger
            .import(&site, body, jiff::Timestamp::now(), &cancel)
            .await
    });
    let summary = task
        .await
        .map_err(|e| Error::Internal(format!("the import task failed: {e}")))?;
    match summary {
        Ok(summary) => Ok(axum::Json(summary)),
        Err(ImportError::UnknownSite(site)) => Err(Error::NotFound(format!("no site {site}"))),
        Err(e @ ImportError::Stopped { .. }) => Err(Error::Internal(e.to_string())),
        Err(ImportError::Store { lines, source }) => {
            tracing::error!(lines, "an import stopped: its store failed");
            Err(Error::Store(source))
        }
    }
}
