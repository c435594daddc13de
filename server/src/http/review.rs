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

/// An anomaly as the API shows it: the scan that caused it (`scanner`, `seq`, `action`), or
/// none of those for a forgotten clock-off, which the system applied by itself.
#[derive(Serialize)]
struct Anomaly {
    scanner: Option<Id>,
    seq: Option<u64>,
    ts: Time,
    badge: Id,
    action: Option<&'static str>,
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
    let now = jiff::Timestamp::now();
    let list = live.read(|w| {
        (w.anomalies(now).into_iter())
            .map(|a| Anomaly {
                scanner: a.event.as_ref().map(|k| k.scanner.clone()),
                seq: a.event.as_ref().map(|k| k.seq),
                ts: a.ts,
                badge: a.badge,
                action: a.action.map(|a| a.as_str()),
                job: a.job,
                op: a.op,
                bay: a.bay,
                code: a.code,
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
