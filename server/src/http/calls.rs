//! Andon calls for managers (contract §7.7): `GET …/calls?from&to`, the calls opened in the
//! period with who, bay, reason, and when they were opened, answered and cleared. The period
//! reads as the figures' (`from`/`to` RFC 3339 or local dates, default today).

use axum::extract::{Path, RawQuery, State};
use bayline_domain::{Call, Time};
use bayline_proto::{CallReason, Id};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::MANAGER;
use super::kpis::Ask;
use super::{Caller, Error, Result};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(calls))
}

/// One call as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = AndonCall)]
pub(crate) struct CallRow {
    #[schema(value_type = String)]
    pub bay: Id,
    /// Who called.
    #[schema(value_type = String)]
    pub badge: Id,
    pub reason: CallReason,
    #[schema(value_type = String, format = DateTime)]
    pub opened: Time,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered: Option<Time>,
    #[schema(value_type = Option<String>)]
    pub answered_by: Option<Id>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub cleared: Option<Time>,
    #[schema(value_type = Option<String>)]
    pub cleared_by: Option<Id>,
    /// Opened → answered, in minutes; `null` until answered.
    pub answer_minutes: Option<f64>,
}

impl From<Call> for CallRow {
    fn from(c: Call) -> CallRow {
        let answer_minutes = c.answer_time().map(|d| d.as_secs_f64() / 60.0);
        let (answered, answered_by) = c.answered.map_or((None, None), |(t, b)| (Some(t), Some(b)));
        let (cleared, cleared_by) = c.cleared.map_or((None, None), |(t, b)| (Some(t), Some(b)));
        CallRow {
            bay: c.bay,
            badge: c.badge,
            reason: c.reason,
            opened: c.opened,
            answered,
            answered_by,
            cleared,
            cleared_by,
            answer_minutes,
        }
    }
}

/// The andon calls opened in [from, to), oldest first.
#[utoipa::path(get, path = "/api/v1/sites/{site}/calls", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"),
        ("from" = Option<String>, Query, description = "RFC 3339 or a local date; default today"),
        ("to" = Option<String>, Query, description = "RFC 3339 or a local date; default the day after from")),
    responses((status = 200, body = [CallRow]), (status = 400, description = "a bad period", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn calls(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<axum::Json<Vec<CallRow>>> {
    let live = caller.site(&state, &site, MANAGER)?;
    let now = jiff::Timestamp::now();
    let ask = Ask::parse(query.as_deref().unwrap_or(""), &live.config.time_zone, now)?;
    if ask.group_by.is_some() || ask.csv {
        return Err(Error::BadRequest(
            "calls are not grouped nor exported: use from and to".into(),
        ));
    }
    let period = bayline_domain::kpi::Period::new(ask.from, ask.to);
    let calls = state.ledger.calls(&live, period).await?;
    Ok(axum::Json(calls.into_iter().map(CallRow::from).collect()))
}
