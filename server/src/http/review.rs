//! What a manager reviews: anomalies (kept, not applied) and rejected scans.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::Router;
use bayline_domain::Time;
use bayline_proto::{Id, WarningCode};
use bayline_store::sqlite::RejectedRow;
use serde::{Deserialize, Serialize};

use super::auth::MANAGER;
use super::{Caller, Result};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sites/{site}/anomalies", get(anomalies))
        .route("/api/v1/sites/{site}/rejected", get(rejected))
}

#[derive(Serialize)]
struct Anomaly {
    scanner: Id,
    seq: u64,
    ts: Time,
    badge: Id,
    action: &'static str,
    job: Option<Id>,
    op: Option<Id>,
    bay: Option<Id>,
    code: WarningCode,
}

async fn anomalies(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<axum::Json<Vec<Anomaly>>> {
    let live = caller.site(&state, &site, MANAGER)?;
    let list = live.read(|w| {
        w.anomalies()
            .into_iter()
            .map(|(e, code)| Anomaly {
                scanner: e.key.scanner.clone(),
                seq: e.key.seq,
                ts: e.key.ts,
                badge: e.badge.clone(),
                action: e.kind.action().as_str(),
                job: e.kind.job().cloned(),
                op: e.kind.op().cloned(),
                bay: e.kind.bay().cloned(),
                code,
            })
            .collect()
    });
    Ok(axum::Json(list))
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<u32>,
}

async fn rejected(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    Query(q): Query<Limit>,
) -> Result<axum::Json<Vec<RejectedRow>>> {
    let live = caller.site(&state, &site, MANAGER)?;
    let limit = q.limit.unwrap_or(500).min(5000);
    Ok(axum::Json(
        state
            .ledger
            .store()
            .rejected(&live.config.id, limit)
            .await?,
    ))
}
