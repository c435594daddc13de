//! A job card's history (contract §7.6): every version a `PUT …/jobs/{job}` made, with who
//! and when, so that a figure's inputs can be traced after the fact; with the job's approval
//! requests (contract §7.5), each opening and answer, who and when.

use axum::extract::{Path, State};
use bayline_domain::{JobCard, Time};
use bayline_ledger::changed_fields;
use bayline_proto::Id;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::STAFF;
use super::customer::Shown;
use super::{Caller, Error, Result};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(history))
}

/// One entry of a job's history: a version of its card (who put it, when, and which fields
/// differ from the version before), or an approval request opened or answered.
#[derive(Serialize, ToSchema)]
#[schema(as = CardVersion)]
struct Version {
    #[schema(value_type = String, format = DateTime)]
    at: Time,
    /// The token's `[[tokens]] name`, else its role and fingerprint (`manager-3f2a9c`);
    /// `customer` for an answer given on the status link.
    who: String,
    kind: Kind,
    /// A `card` entry: the card as put (the foreman's assignments apart).
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<JobCard>,
    /// A `card` entry: `plate`, `vehicle`, `customer`, `advisor`, `service`, `comeback_of`,
    /// `promised_at`, `waiting_until`, `wash`, `ops` (none for the first version kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    changed: Option<Vec<&'static str>>,
    /// An approval entry: the request as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    approval: Option<Shown>,
}

/// What an entry of the history is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CardVersionKind)]
enum Kind {
    /// A version of the card.
    Card,
    ApprovalOpened,
    ApprovalAnswered,
}

/// The versions of a job card, oldest first.
#[utoipa::path(get, path = "/api/v1/sites/{site}/jobs/{job}/history", tag = "jobs", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id"), ("job" = String, Path)),
    responses((status = 200, body = [Version]), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site or job", body = super::error::ErrorBody)))]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path((site, job)): Path<(String, String)>,
) -> Result<axum::Json<Vec<Version>>> {
    let live = caller.site(&state, &site, STAFF)?;
    let unknown = || Error::NotFound(format!("no job {job}"));
    let id = Id::new(&job).map_err(|_| unknown())?;
    let store = state.ledger.store();
    let versions = store.job_versions(&live.config.id, &id).await?;
    let approvals = store.approvals(&live.config.id, &id).await?;
    // A card put before versions were kept has none yet: known, with an empty history.
    if versions.is_empty() && store.job(&live.config.id, &id).await?.is_none() {
        return Err(unknown());
    }
    let mut before: Option<&JobCard> = None;
    let mut list = Vec::with_capacity(versions.len());
    for v in &versions {
        list.push(Version {
            at: v.at,
            who: v.who.clone(),
            kind: Kind::Card,
            card: Some(v.card.clone()),
            changed: Some(before.map_or_else(Vec::new, |b| changed_fields(b, &v.card))),
            approval: None,
        });
        before = Some(&v.card);
    }
    for a in &approvals {
        let shown = Shown::of(a);
        let entry = |at, who: &str, kind| Version {
            at,
            who: who.to_string(),
            kind,
            card: None,
            changed: None,
            approval: Some(shown.clone()),
        };
        list.push(entry(a.opened_at, &a.opened_by, Kind::ApprovalOpened));
        // One entry per answer given: who and when (a form answers several ops at once).
        let mut given: Vec<(Time, &str)> = (a.items.iter())
            .filter_map(|i| i.answer.as_ref().map(|x| (x.at, x.by.as_str())))
            .collect();
        given.sort();
        given.dedup();
        list.extend(
            given
                .into_iter()
                .map(|(at, who)| entry(at, who, Kind::ApprovalAnswered)),
        );
    }
    // By time; a card version and the answer that made it keep that order.
    list.sort_by_key(|v| (v.at, v.kind != Kind::ApprovalAnswered));
    Ok(axum::Json(list))
}
