//! The advisor's side of the customer in the loop (contract §7.5): a status link for a job
//! (`POST`, `DELETE` revokes), approval requests for extra work and the answers taken by
//! phone. The customer's side is the page `/c/{token}` (`web::customer`).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use bayline_domain::Time;
use bayline_ledger::ApprovalError;
use bayline_proto::Id;
use bayline_store::{Approval, ApprovalItem};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{PLANNERS, STAFF};
use super::json::Json;
use super::{Caller, Error, Result};
use crate::customer::token;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_link, revoke_links))
        .routes(routes!(open_approval, list_approvals))
        .routes(routes!(phone_answer))
}

fn job_id(job: &str) -> Result<Id> {
    Id::new(job).map_err(|e| Error::BadRequest(format!("job id {job:?}: {e}")))
}

/// The job must be one the site knows now.
fn known(live: &bayline_ledger::SiteLive, job: &Id, now: Time) -> Result<()> {
    match live.read(|w| w.job(job.as_str(), now)) {
        Some(_) => Ok(()),
        None => Err(Error::NotFound(format!("no job {job}"))),
    }
}

#[derive(Deserialize, Default)]
struct LinkBody {
    #[serde(default)]
    expires_at: Option<Time>,
}

#[derive(Serialize)]
struct LinkAnswer {
    url: String,
    expires_at: Option<Time>,
}

/// Makes a status link for the job's customer: `/c/{token}`, valid until `expires_at` if
/// given, else until 24 h after the car is delivered (`expires_at` is then `null`).
#[utoipa::path(post, path = "/api/v1/sites/{site}/jobs/{job}/link", tag = "customer", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path)), request_body(content = Option<super::schema::LinkRequest>),
    responses((status = 201, body = super::schema::LinkAnswer), (status = 422, description = "expires_at in the past or over 30 days ahead", body = super::schema::ErrorBody), (status = 401, description = "no or unknown token", body = super::schema::ErrorBody), (status = 403, description = "not an advisor's or manager's token of this site", body = super::schema::ErrorBody), (status = 404, description = "no such site or job", body = super::schema::ErrorBody)))]
async fn create_link(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((site, job)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, axum::Json<LinkAnswer>)> {
    let live = caller.site(&state, &site, PLANNERS)?;
    let job = job_id(&job)?;
    let now = jiff::Timestamp::now();
    known(&live, &job, now)?;
    // The body is optional: none, or `{"expires_at"}`.
    let body: LinkBody = match body.iter().all(u8::is_ascii_whitespace) {
        true => LinkBody::default(),
        false => serde_json::from_slice(&body).map_err(|e| {
            Error::Unprocessable(format!("the body is not {{\"expires_at\"}}: {e}"))
        })?,
    };
    let expires_at = body.expires_at;
    if let Some(end) = expires_at {
        if end <= now || end > now + jiff::SignedDuration::from_hours(24 * 30) {
            return Err(Error::Unprocessable(
                "expires_at must be in the future and at most 30 days ahead".into(),
            ));
        }
    }
    let by = caller.editor(&state, &live.config)?;
    let url = token::make(
        &state,
        &live.config,
        &job,
        &by.who,
        (now, expires_at),
        &headers,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(LinkAnswer { url, expires_at }),
    ))
}

/// Revokes every status link of the job: they open the "not valid" page from now on.
#[utoipa::path(delete, path = "/api/v1/sites/{site}/jobs/{job}/link", tag = "customer", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path)),
    responses((status = 200, description = "`{\"revoked\": n}`: how many live links were revoked", body = Object), (status = 401, description = "no or unknown token", body = super::schema::ErrorBody), (status = 403, description = "not an advisor's or manager's token of this site", body = super::schema::ErrorBody), (status = 404, description = "no such site", body = super::schema::ErrorBody)))]
async fn revoke_links(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job)): Path<(String, String)>,
) -> Result<axum::Json<Value>> {
    let live = caller.site(&state, &site, PLANNERS)?;
    let job = job_id(&job)?;
    let now = jiff::Timestamp::now();
    let revoked = (state.ledger.store())
        .revoke_links(&live.config.id, &job, now)
        .await?;
    Ok(axum::Json(json!({ "revoked": revoked })))
}

#[derive(Deserialize)]
struct ApprovalBody {
    #[serde(default)]
    message: String,
    ops: Vec<ItemBody>,
}

#[derive(Deserialize)]
struct ItemBody {
    op: String,
    #[serde(default)]
    title: String,
    std_hours: f64,
    price: f64,
    #[serde(default)]
    photo: Option<String>,
}

const MAX_TEXT: usize = 200;
const MAX_ITEMS: usize = 20;

impl ApprovalBody {
    fn items(self) -> Result<(String, Vec<ApprovalItem>)> {
        let invalid = |m: String| Err(Error::Unprocessable(m));
        if self.message.chars().count() > 1000 {
            return invalid("message is longer than 1000 characters".into());
        }
        if self.ops.is_empty() || self.ops.len() > MAX_ITEMS {
            return invalid(format!("ops must list 1 to {MAX_ITEMS} items"));
        }
        let mut items: Vec<ApprovalItem> = Vec::new();
        for o in self.ops {
            let op =
                Id::new(&o.op).map_err(|e| Error::Unprocessable(format!("op {:?}: {e}", o.op)))?;
            if items.iter().any(|i| i.op == op) {
                return invalid(format!("op {op} is listed twice"));
            }
            if o.title.trim().is_empty() || o.title.chars().count() > MAX_TEXT {
                return invalid(format!("op {op}: title must be 1 to {MAX_TEXT} characters"));
            }
            if !o.std_hours.is_finite() || !(0.0..=1000.0).contains(&o.std_hours) {
                return invalid(format!("op {op}: std_hours must be between 0 and 1000"));
            }
            if !o.price.is_finite() || !(0.0..=10_000_000.0).contains(&o.price) {
                return invalid(format!("op {op}: price must be between 0 and 10000000"));
            }
            let photo = match o.photo.filter(|p| !p.is_empty()) {
                None => None,
                Some(p) => match url::Url::parse(&p) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") && p.len() <= 500 => Some(p),
                    _ => return invalid(format!("op {op}: photo must be an http(s) URL")),
                },
            };
            items.push(ApprovalItem {
                op,
                title: o.title,
                std_hours: o.std_hours,
                price: o.price,
                photo,
                answer: None,
            });
        }
        Ok((self.message, items))
    }
}

/// An approval request as the API shows it.
pub(crate) fn approval_json(a: &Approval) -> Value {
    json!({
        "id": a.id,
        "job": a.job.as_str(),
        "message": a.message,
        "opened_at": a.opened_at,
        "opened_by": a.opened_by,
        "answered": a.answered(),
        "ops": a.items.iter().map(|i| json!({
            "op": i.op.as_str(),
            "title": i.title,
            "std_hours": i.std_hours,
            "price": i.price,
            "photo": i.photo,
            "answer": i.answer.as_ref().map(|x| if x.approved { "approved" } else { "declined" }),
            "answered_at": i.answer.as_ref().map(|x| x.at),
            "answered_by": i.answer.as_ref().map(|x| x.by.clone()),
        })).collect::<Vec<_>>(),
    })
}

fn refused(e: ApprovalError) -> Error {
    match e {
        ApprovalError::NoJob(_) | ApprovalError::NoRequest(_) => Error::NotFound(e.to_string()),
        ApprovalError::OpOnCard(_) | ApprovalError::NotAnItem(_) => {
            Error::Unprocessable(e.to_string())
        }
        ApprovalError::Card(bayline_ledger::PutJobError::Store(e)) | ApprovalError::Store(e) => {
            Error::Store(e)
        }
        ApprovalError::Card(e) => Error::ForbiddenBecause(e.to_string()),
    }
}

/// Opens a request for extra work: the customer sees it on the status link and answers each
/// op; approved ops join the job card.
#[utoipa::path(post, path = "/api/v1/sites/{site}/jobs/{job}/approvals", tag = "customer", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path)), request_body = super::schema::ApprovalRequest,
    responses((status = 201, body = super::schema::Approval), (status = 422, description = "an item is wrong, or its op is on the card already", body = super::schema::ErrorBody), (status = 401, description = "no or unknown token", body = super::schema::ErrorBody), (status = 403, description = "not an advisor's or manager's token of this site", body = super::schema::ErrorBody), (status = 404, description = "no such site or job", body = super::schema::ErrorBody)))]
async fn open_approval(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job)): Path<(String, String)>,
    body: Result<Json<ApprovalBody>>,
) -> Result<(StatusCode, axum::Json<Value>)> {
    // Who asks first: a caller without the right is refused before its body is read.
    let live = caller.site(&state, &site, PLANNERS)?;
    let Json(body) = body?;
    let job = job_id(&job)?;
    let (message, items) = body.items()?;
    let by = caller.editor(&state, &live.config)?;
    let now = jiff::Timestamp::now();
    let approval = (state.ledger)
        .open_approval(&live.config.id, &job, &message, &items, &by.who, now)
        .await
        .map_err(refused)?;
    Ok((StatusCode::CREATED, axum::Json(approval_json(&approval))))
}

/// The job's approval requests, oldest first, with every answer, who and when.
#[utoipa::path(get, path = "/api/v1/sites/{site}/jobs/{job}/approvals", tag = "customer", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path)),
    responses((status = 200, body = [super::schema::Approval]), (status = 401, description = "no or unknown token", body = super::schema::ErrorBody), (status = 403, description = "token of another site", body = super::schema::ErrorBody), (status = 404, description = "no such site", body = super::schema::ErrorBody)))]
async fn list_approvals(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job)): Path<(String, String)>,
) -> Result<axum::Json<Vec<Value>>> {
    let live = caller.site(&state, &site, STAFF)?;
    let job = job_id(&job)?;
    let list = state
        .ledger
        .store()
        .approvals(&live.config.id, &job)
        .await?;
    Ok(axum::Json(list.iter().map(approval_json).collect()))
}

#[derive(Deserialize)]
struct PhoneBody {
    answers: Vec<OpAnswer>,
}

#[derive(Deserialize)]
pub(crate) struct OpAnswer {
    pub op: String,
    pub approved: bool,
}

/// Parses answers to ops; an op given twice is refused.
pub(crate) fn answers(list: Vec<OpAnswer>) -> Result<Vec<(Id, bool)>> {
    let mut out: Vec<(Id, bool)> = Vec::new();
    if list.is_empty() {
        return Err(Error::Unprocessable("answers is empty".into()));
    }
    for a in list {
        let op = Id::new(&a.op).map_err(|e| Error::Unprocessable(format!("op {:?}: {e}", a.op)))?;
        if out.iter().any(|(o, _)| *o == op) {
            return Err(Error::Unprocessable(format!("op {op} is answered twice")));
        }
        out.push((op, a.approved));
    }
    Ok(out)
}

/// Records the customer's answer given by phone, in the advisor's name. An op answered
/// before keeps its first answer.
#[utoipa::path(post, path = "/api/v1/sites/{site}/jobs/{job}/approvals/{approval}/answer", tag = "customer", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path), ("approval" = i64, Path)), request_body = super::schema::PhoneAnswer,
    responses((status = 200, body = super::schema::Approval), (status = 422, description = "an op not of this request, or answered twice", body = super::schema::ErrorBody), (status = 401, description = "no or unknown token", body = super::schema::ErrorBody), (status = 403, description = "not an advisor's or manager's token of this site", body = super::schema::ErrorBody), (status = 404, description = "no such site, job or request", body = super::schema::ErrorBody)))]
async fn phone_answer(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job, approval)): Path<(String, String, String)>,
    body: Result<Json<PhoneBody>>,
) -> Result<axum::Json<Value>> {
    let live = caller.site(&state, &site, PLANNERS)?;
    let Json(body) = body?;
    let job = job_id(&job)?;
    let approval: i64 = (approval.parse())
        .map_err(|_| Error::NotFound(format!("no approval request {approval:?}")))?;
    let answers = answers(body.answers)?;
    let by = caller.editor(&state, &live.config)?;
    let now = jiff::Timestamp::now();
    let answered = (state.ledger)
        .answer_approval(&live.config.id, &job, approval, &answers, &by.who, now)
        .await
        .map_err(refused)?;
    Ok(axum::Json(approval_json(&answered.approval)))
}
