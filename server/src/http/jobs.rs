//! Job cards: create or update (from the DMS or an advisor), read one, list by stage.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bayline_domain::view::JobView;
use bayline_domain::{JobCard, OpCard, Stage, Time};
use bayline_ledger::PutJobError;
use bayline_proto::Id;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::STAFF;
use super::json::Json;
use super::{Caller, Error, Result};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_job, get_job))
        .routes(routes!(list_jobs))
}

/// The body of `PUT …/jobs/{job}`. Unknown fields are ignored: the contract may grow.
#[derive(Deserialize, ToSchema)]
struct JobBody {
    #[serde(default)]
    plate: String,
    #[serde(default)]
    vehicle: String,
    #[serde(default)]
    customer: String,
    #[serde(default)]
    advisor: String,
    /// The kind of work (保养 maintenance, 事故 accident, 索赔 warranty…): `group_by=service`.
    #[serde(default)]
    service: String,
    /// The earlier job this one comes back from (外返); without it, the plate rule decides.
    #[serde(default)]
    comeback_of: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    promised_at: Option<Time>,
    /// When the current wait for parts or approval is expected to end: the ETA starts there.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    waiting_until: Option<Time>,
    /// Default true.
    #[serde(default)]
    wash: Option<bool>,
    #[serde(default)]
    ops: Vec<OpBody>,
}

#[derive(Deserialize, ToSchema)]
struct OpBody {
    op: String,
    #[serde(default)]
    title: String,
    std_hours: f64,
}

/// Longest free text on a card.
const MAX_TEXT: usize = 200;

impl JobBody {
    fn into_card(self, job: Id) -> Result<JobCard> {
        for (name, text) in [
            ("plate", &self.plate),
            ("vehicle", &self.vehicle),
            ("customer", &self.customer),
            ("advisor", &self.advisor),
            ("service", &self.service),
        ] {
            if text.chars().count() > MAX_TEXT {
                return Err(Error::Unprocessable(format!(
                    "{name} is longer than {MAX_TEXT} characters"
                )));
            }
        }
        let comeback_of = match self.comeback_of.as_deref() {
            None | Some("") => None,
            Some(earlier) => {
                let earlier = Id::new(earlier)
                    .map_err(|e| Error::Unprocessable(format!("comeback_of {earlier:?}: {e}")))?;
                if earlier == job {
                    return Err(Error::Unprocessable(format!(
                        "comeback_of names {job} itself: a comeback names an earlier job"
                    )));
                }
                Some(earlier)
            }
        };
        let mut ops: Vec<OpCard> = Vec::with_capacity(self.ops.len());
        for o in self.ops {
            let op =
                Id::new(&o.op).map_err(|e| Error::Unprocessable(format!("op {:?}: {e}", o.op)))?;
            if ops.iter().any(|x| x.op == op) {
                return Err(Error::Unprocessable(format!("op {op} is listed twice")));
            }
            if !o.std_hours.is_finite() || !(0.0..=1000.0).contains(&o.std_hours) {
                return Err(Error::Unprocessable(format!(
                    "op {op}: std_hours must be between 0 and 1000"
                )));
            }
            if o.title.chars().count() > MAX_TEXT {
                return Err(Error::Unprocessable(format!(
                    "op {op}: title is longer than {MAX_TEXT} characters"
                )));
            }
            ops.push(OpCard {
                op,
                title: o.title,
                std_hours: o.std_hours,
                assignment: None,
            });
        }
        Ok(JobCard {
            job,
            plate: self.plate,
            vehicle: self.vehicle,
            customer: self.customer,
            advisor: self.advisor,
            service: self.service,
            comeback_of,
            promised_at: self.promised_at,
            waiting_until: self.waiting_until,
            wash: self.wash.unwrap_or(true),
            ops,
        })
    }
}

fn job_id(job: &str) -> Result<Id> {
    Id::new(job).map_err(|e| Error::BadRequest(format!("job id {job:?}: {e}")))
}

/// Creates or updates a job card (201 when created).
#[utoipa::path(put, path = "/api/v1/sites/{site}/jobs/{job}", tag = "jobs", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path)), request_body = JobBody,
    responses((status = 201, body = JobView), (status = 200, body = JobView),
        (status = 422, description = "a field is wrong", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role, or not a manager's for the promise or hours of a job that reached ready", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn put_job(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job)): Path<(String, String)>,
    Json(body): Json<JobBody>,
) -> Result<(StatusCode, axum::Json<JobView>)> {
    let live = caller.site(&state, &site, STAFF)?;
    let card = body.into_card(job_id(&job)?)?;
    let by = caller.editor(&state, &live.config)?;
    let now = jiff::Timestamp::now();
    let created =
        (state.ledger.put_job(&live.config.id, card, now, &by).await).map_err(|e| match e {
            PutJobError::NeedsManager { .. } => Error::ForbiddenBecause(e.to_string()),
            PutJobError::Store(e) => Error::Store(e),
        })?;
    let view = live
        .read(|w| w.job(&job, now))
        .ok_or_else(|| Error::NotFound(format!("no job {job}")))?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        axum::Json(view),
    ))
}

/// A job with its stage, progress, ETA and ops.
#[utoipa::path(get, path = "/api/v1/sites/{site}/jobs/{job}", tag = "jobs", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path)),
    responses((status = 200, body = JobView), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn get_job(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job)): Path<(String, String)>,
) -> Result<axum::Json<JobView>> {
    let live = caller.site(&state, &site, STAFF)?;
    let now = jiff::Timestamp::now();
    live.read(|w| w.job(&job, now))
        .map(axum::Json)
        .ok_or_else(|| Error::NotFound(format!("no job {job}")))
}

#[derive(Deserialize)]
struct ListQuery {
    /// One stage or several, comma-separated.
    stage: Option<String>,
}

/// The jobs, optionally of some stages.
#[utoipa::path(get, path = "/api/v1/sites/{site}/jobs", tag = "jobs", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("stage" = Option<String>, Query, description = "one stage or several, comma-separated")),
    responses((status = 200, body = [JobView]), (status = 400, description = "not a stage", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn list_jobs(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Vec<JobView>>> {
    let live = caller.site(&state, &site, STAFF)?;
    let stages = match q.stage.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(list) => Some(
            list.split(',')
                .map(|s| {
                    Stage::parse(s.trim())
                        .ok_or_else(|| Error::BadRequest(format!("stage {s:?} is not a stage")))
                })
                .collect::<Result<Vec<_>>>()?,
        ),
    };
    let now = jiff::Timestamp::now();
    let jobs = live.read(|w| w.jobs(now));
    Ok(axum::Json(
        jobs.into_iter()
            .filter(|j| stages.as_ref().is_none_or(|s| s.contains(&j.stage)))
            .collect(),
    ))
}
