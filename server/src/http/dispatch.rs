//! Dispatch for the foreman and the advisors (contract §7.3): `PUT`/`DELETE
//! …/jobs/{job}/ops/{op}/assignment`, and `GET …/dispatch`, what the dispatch page shows:
//! the ops nobody has and each technician's queue for a day.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bayline_domain::dispatch::{self, Queued};
use bayline_domain::{Assignment, Id, Role};
use bayline_ledger::AssignFailed;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::PLANNERS;
use super::json::Json;
use super::{Caller, Error, Result};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_assignment, delete_assignment))
        .routes(routes!(get_dispatch))
}

fn ids(job: &str, op: &str) -> Result<(Id, Id)> {
    let id = |what: &str, s: &str| {
        Id::new(s).map_err(|e| Error::BadRequest(format!("{what} id {s:?}: {e}")))
    };
    Ok((id("job", job)?, id("op", op)?))
}

async fn assign(
    state: &AppState,
    caller: &Caller,
    (site, job, op): (String, String, String),
    assignment: Option<Assignment>,
) -> Result<StatusCode> {
    let live = caller.site(state, &site, PLANNERS)?;
    let (job, op) = ids(&job, &op)?;
    let now = jiff::Timestamp::now();
    let made = state
        .ledger
        .assign(&live.config.id, &job, &op, assignment, now)
        .await;
    match made {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(AssignFailed::Refused(e)) => Err(match e {
            bayline_domain::AssignError::UnknownJob(_)
            | bayline_domain::AssignError::UnknownOp { .. } => Error::NotFound(e.to_string()),
            _ => Error::Unprocessable(e.to_string()),
        }),
        Err(AssignFailed::Store(e)) => Err(Error::Store(e)),
    }
}

/// Gives an op to a technician or a team, at a bay, on a day, in an order.
#[utoipa::path(put, path = "/api/v1/sites/{site}/jobs/{job}/ops/{op}/assignment", tag = "jobs", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path), ("op" = String, Path)), request_body = Assignment,
    responses((status = 204, description = "assigned"), (status = 422, description = "an unknown badge, team or bay, or a delivered job", body = super::error::ErrorBody),
        (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site, job or op", body = super::error::ErrorBody)))]
async fn put_assignment(
    State(state): State<AppState>,
    caller: Caller,
    Path(path): Path<(String, String, String)>,
    Json(body): Json<Assignment>,
) -> Result<StatusCode> {
    assign(&state, &caller, path, Some(body)).await
}

/// Takes an op's assignment away.
#[utoipa::path(delete, path = "/api/v1/sites/{site}/jobs/{job}/ops/{op}/assignment", tag = "jobs", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path), ("op" = String, Path)),
    responses((status = 204, description = "no longer assigned"), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site, job or op", body = super::error::ErrorBody)))]
async fn delete_assignment(
    State(state): State<AppState>,
    caller: Caller,
    Path(path): Path<(String, String, String)>,
) -> Result<StatusCode> {
    assign(&state, &caller, path, None).await
}

#[derive(Deserialize)]
struct DispatchQuery {
    day: Option<String>,
}

/// One technician's queue.
#[derive(Serialize, utoipa::ToSchema)]
struct Technician {
    #[schema(value_type = String)]
    badge: Id,
    name: String,
    team: Option<String>,
    queue: Vec<Queued>,
}

/// The dispatch board for one day.
#[derive(Serialize, utoipa::ToSchema)]
struct Board {
    #[schema(value_type = String, format = Date)]
    day: Date,
    unassigned: Vec<Queued>,
    technicians: Vec<Technician>,
}

/// The ops nobody has, and each technician's queue for `day` (default today).
#[utoipa::path(get, path = "/api/v1/sites/{site}/dispatch", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("day" = Option<String>, Query, description = "a local date; default today")),
    responses((status = 200, body = Board), (status = 400, description = "a bad date", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn get_dispatch(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    q: std::result::Result<Query<DispatchQuery>, QueryRejection>,
) -> Result<axum::Json<Board>> {
    let live = caller.site(&state, &site, PLANNERS)?;
    let Query(q) = q.map_err(|e| Error::BadRequest(e.body_text()))?;
    let now = jiff::Timestamp::now();
    let today = now.to_zoned(live.config.time_zone.clone()).date();
    let day = match q.day.as_deref() {
        None => today,
        Some(s) => Date::strptime("%Y-%m-%d", s)
            .map_err(|_| Error::BadRequest(format!("day {s:?} is not a date like 2026-11-23")))?,
    };
    let jobs = live.read(|w| w.jobs_to_do(now));
    let technicians = (live.config.staff.iter())
        .filter(|s| s.role == Role::Technician)
        .map(|s| Technician {
            badge: s.badge.clone(),
            name: s.name.clone(),
            team: s.team.clone(),
            queue: dispatch::queue_of(&jobs, &s.badge, day, today),
        })
        .collect();
    Ok(axum::Json(Board {
        day,
        unassigned: dispatch::unassigned(&jobs),
        technicians,
    }))
}
