//! Workshop loading for advisors and managers (contract §7.3): `GET …/loading?from&days` and
//! `GET …/promise?std_hours[&team]`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use bayline_domain::loading::{DayLoad, Promise};
use jiff::civil::Date;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::PLANNERS;
use super::{Caller, Error, Result};
use crate::AppState;

/// The most days one request may ask: a quarter covers any planning we know.
const MAX_DAYS: usize = 92;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(loading))
        .routes(routes!(promise))
}

fn query<T>(q: std::result::Result<Query<T>, QueryRejection>) -> Result<T> {
    q.map(|Query(q)| q)
        .map_err(|e| Error::BadRequest(e.body_text()))
}

#[derive(Deserialize)]
struct LoadingQuery {
    from: Option<String>,
    days: Option<usize>,
}

/// Per local day, by team and in total: available, booked and free hours.
#[utoipa::path(get, path = "/api/v1/sites/{site}/loading", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"),
        ("from" = Option<String>, Query, description = "a local date; default today"),
        ("days" = Option<usize>, Query, description = "1 to 92; default 14")),
    responses((status = 200, body = [DayLoad]), (status = 400, description = "a bad date or number of days", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn loading(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    q: std::result::Result<Query<LoadingQuery>, QueryRejection>,
) -> Result<axum::Json<Vec<DayLoad>>> {
    let live = caller.site(&state, &site, PLANNERS)?;
    let q = query(q)?;
    let now = jiff::Timestamp::now();
    let from = match q.from.as_deref() {
        None => now.to_zoned(live.config.time_zone.clone()).date(),
        Some(s) => Date::strptime("%Y-%m-%d", s)
            .map_err(|_| Error::BadRequest(format!("from {s:?} is not a date like 2026-11-23")))?,
    };
    let days = q.days.unwrap_or(14);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(Error::BadRequest(format!("days must be 1 to {MAX_DAYS}")));
    }
    Ok(axum::Json(live.read(|w| w.loading(from, days, now))))
}

#[derive(Deserialize)]
struct PromiseQuery {
    std_hours: f64,
    team: Option<String>,
}

/// The earliest instant `std_hours` more hours fit, for a team or the workshop.
#[utoipa::path(get, path = "/api/v1/sites/{site}/promise", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"),
        ("std_hours" = f64, Query, description = "standard hours of the work to fit, 0 to 1000"),
        ("team" = Option<String>, Query, description = "a team of the site file; default the whole workshop")),
    responses((status = 200, body = Promise), (status = 400, description = "no or bad std_hours", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn promise(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    q: std::result::Result<Query<PromiseQuery>, QueryRejection>,
) -> Result<axum::Json<Promise>> {
    let live = caller.site(&state, &site, PLANNERS)?;
    let q = query(q)?;
    if !q.std_hours.is_finite() || !(0.0..=1000.0).contains(&q.std_hours) {
        return Err(Error::BadRequest(
            "std_hours must be between 0 and 1000".into(),
        ));
    }
    let now = jiff::Timestamp::now();
    let team = q.team.as_deref().filter(|t| !t.is_empty());
    Ok(axum::Json(live.read(|w| w.promise(q.std_hours, team, now))))
}
