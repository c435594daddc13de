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
use utoipa::ToSchema;
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

/// `POST …/jobs/{job}/link` (body optional).
#[derive(Deserialize, Default, ToSchema)]
#[schema(as = LinkRequest)]
struct LinkBody {
    /// When the link stops opening; absent: 24 h after the car is delivered.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<Time>,
}

/// A status link for the customer's phone (contract §7.5).
#[derive(Serialize, ToSchema)]
struct LinkAnswer {
    /// `…/c/{token}`: the site's `public_url`, else the address the request came to.
    url: String,
    /// `null`: 24 h after the car is delivered.
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<Time>,
}

/// How many live links a `DELETE …/link` revoked.
#[derive(Serialize, ToSchema)]
struct Revoked {
    revoked: u64,
}

/// Makes a status link for the job's customer: `/c/{token}`, valid until `expires_at` if
/// given, else until 24 h after the car is delivered (`expires_at` is then `null`).
#[utoipa::path(post, path = "/api/v1/sites/{site}/jobs/{job}/link", tag = "customer", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path)), request_body(content = Option<LinkBody>),
    responses((status = 201, body = LinkAnswer), (status = 422, description = "expires_at in the past or over 30 days ahead", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "not an advisor's or manager's token of this site", body = super::error::ErrorBody), (status = 404, description = "no such site or job", body = super::error::ErrorBody)))]
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
    responses((status = 200, description = "how many live links were revoked", body = Revoked), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "not an advisor's or manager's token of this site", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn revoke_links(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job)): Path<(String, String)>,
) -> Result<axum::Json<Revoked>> {
    let live = caller.site(&state, &site, PLANNERS)?;
    let job = job_id(&job)?;
    let now = jiff::Timestamp::now();
    let revoked = (state.ledger.store())
        .revoke_links(&live.config.id, &job, now)
        .await?;
    Ok(axum::Json(Revoked { revoked }))
}

/// `POST …/jobs/{job}/approvals`: the extra work to ask the customer about.
#[derive(Deserialize, ToSchema)]
#[schema(as = ApprovalRequest)]
struct ApprovalBody {
    #[serde(default)]
    message: String,
    ops: Vec<ItemBody>,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ApprovalRequestOp)]
struct ItemBody {
    /// The op id it gets on the job card once approved (not on the card yet).
    op: String,
    #[serde(default)]
    title: String,
    std_hours: f64,
    price: f64,
    /// An http(s) URL of a photo showing why.
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

/// An approval request as the API shows it, with each op's answer, who and when.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Approval)]
pub(crate) struct Shown {
    id: i64,
    job: Id,
    message: String,
    #[schema(value_type = String, format = DateTime)]
    opened_at: Time,
    opened_by: String,
    /// Every op has its answer.
    answered: bool,
    ops: Vec<ShownOp>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ApprovalOp)]
struct ShownOp {
    op: Id,
    title: String,
    std_hours: f64,
    price: f64,
    photo: Option<String>,
    /// `null` while open.
    answer: Option<Verdict>,
    #[schema(value_type = Option<String>, format = DateTime)]
    answered_at: Option<Time>,
    /// `customer` (on the link), else the advisor who took it by phone.
    answered_by: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    Approved,
    Declined,
}

impl Shown {
    pub(crate) fn of(a: &Approval) -> Shown {
        let op = |i: &ApprovalItem| ShownOp {
            op: i.op.clone(),
            title: i.title.clone(),
            std_hours: i.std_hours,
            price: i.price,
            photo: i.photo.clone(),
            answer: (i.answer.as_ref()).map(|x| match x.approved {
                true => Verdict::Approved,
                false => Verdict::Declined,
            }),
            answered_at: i.answer.as_ref().map(|x| x.at),
            answered_by: i.answer.as_ref().map(|x| x.by.clone()),
        };
        Shown {
            id: a.id,
            job: a.job.clone(),
            message: a.message.clone(),
            opened_at: a.opened_at,
            opened_by: a.opened_by.clone(),
            answered: a.answered(),
            ops: a.items.iter().map(op).collect(),
        }
    }
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
    params(("site" = String, Path, description = "site id"), ("job" = String, Path)), request_body = ApprovalBody,
    responses((status = 201, body = Shown), (status = 422, description = "an item is wrong, or its op is on the card already", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "not an advisor's or manager's token of this site", body = super::error::ErrorBody), (status = 404, description = "no such site or job", body = super::error::ErrorBody)))]
async fn open_approval(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job)): Path<(String, String)>,
    body: Result<Json<ApprovalBody>>,
) -> Result<(StatusCode, axum::Json<Shown>)> {
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
    Ok((StatusCode::CREATED, axum::Json(Shown::of(&approval))))
}

/// The job's approval requests, oldest first, with every answer, who and when.
#[utoipa::path(get, path = "/api/v1/sites/{site}/jobs/{job}/approvals", tag = "customer", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path)),
    responses((status = 200, body = [Shown]), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn list_approvals(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job)): Path<(String, String)>,
) -> Result<axum::Json<Vec<Shown>>> {
    let live = caller.site(&state, &site, STAFF)?;
    let job = job_id(&job)?;
    let list = state
        .ledger
        .store()
        .approvals(&live.config.id, &job)
        .await?;
    Ok(axum::Json(list.iter().map(Shown::of).collect()))
}

/// `POST …/approvals/{approval}/answer`: what the customer said on the phone.
#[derive(Deserialize, ToSchema)]
#[schema(as = PhoneAnswer)]
struct PhoneBody {
    answers: Vec<OpAnswer>,
}

#[derive(Deserialize, ToSchema)]
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
    params(("site" = String, Path, description = "site id"), ("job" = String, Path), ("approval" = i64, Path)), request_body = PhoneBody,
    responses((status = 200, body = Shown), (status = 422, description = "an op not of this request, or answered twice", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "not an advisor's or manager's token of this site", body = super::error::ErrorBody), (status = 404, description = "no such site, job or request", body = super::error::ErrorBody)))]
async fn phone_answer(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job, approval)): Path<(String, String, String)>,
    body: Result<Json<PhoneBody>>,
) -> Result<axum::Json<Shown>> {
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
    Ok(axum::Json(Shown::of(&answered.approval)))
}
