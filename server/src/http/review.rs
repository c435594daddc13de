//! What a manager reviews: anomalies (kept, not applied, or applied with a warning) and
//! rejected scans.

use axum::extract::{Path, Query, State};
use bayline_domain::Time;
use bayline_proto::{Id, WarningCode};
use bayline_store::RejectedRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::MANAGER;
use super::{Caller, Result};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(anomalies))
        .routes(routes!(rejected))
}

/// An anomaly as the API shows it: the scan that caused it (`scanner`, `seq`, `action`), or
/// none of those for a forgotten clock-off, which the system applied by itself.
#[derive(Serialize, ToSchema)]
pub struct Anomaly {
    #[schema(value_type = Option<String>)]
    scanner: Option<Id>,
    seq: Option<u64>,
    #[schema(value_type = String, format = DateTime)]
    ts: Time,
    #[schema(value_type = String)]
    badge: Id,
    #[schema(value_type = Option<String>)]
    action: Option<&'static str>,
    #[schema(value_type = Option<String>)]
    job: Option<Id>,
    #[schema(value_type = Option<String>)]
    op: Option<Id>,
    #[schema(value_type = Option<String>)]
    bay: Option<Id>,
    /// A reject code kept for review (`not_clocked_on`, …) or a warning (`not_qc`, …).
    #[schema(value_type = String)]
    code: WarningCode,
    /// Whether the scan changed the workshop: a warned scan (`not_qc`, `self_inspection`,
    /// `no_qc`) and a forgotten clock-off did; nonsense did not.
    applied: bool,
}

/// What §4 kept but did not apply, what §7.6 applied with a warning, and forgotten
/// clock-offs.
#[utoipa::path(get, path = "/api/v1/sites/{site}/anomalies", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id")), responses((status = 200, body = [Anomaly]), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
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
                applied: a.applied,
            })
            .collect()
    });
    Ok(axum::Json(list))
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<u32>,
}

/// Rejected scans, newest first.
#[utoipa::path(get, path = "/api/v1/sites/{site}/rejected", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("limit" = Option<u32>, Query, description = "default 500, at most 5000")),
    responses((status = 200, body = [RejectedRow]), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
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
