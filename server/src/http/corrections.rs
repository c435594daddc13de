//! A manager's corrections (contract §4, §5 `POST …/corrections`) and their audit trail
//! (`GET …/corrections`: who, when, why, the event before and after).
//!
//! Bodies, by `kind`:
//! - `add`: `{"kind":"add","reason":…,"event":{"ts","badge","action",…the scan's fields}}` —
//!   a scan nobody made; it is keyed `(ts, "correction", correction id)`.
//! - `move`: `{"kind":"move","reason":…,"target":{"ts","scanner","seq"},"to_ts":…}`.
//! - `void`: `{"kind":"void","reason":…,"target":{"ts","scanner","seq"}}`.
//!
//! The contract gives tokens no names, so "who" is the token's role and a short fingerprint of
//! it (`manager-3f2a9c`): enough to tell two managers' tokens apart, useless to an attacker.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use bayline_domain::{Amendment, Corrected, Event, EventKey, EventKind, Id, Time};
use bayline_ledger::CorrectError;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::MANAGER;
use super::json::Json;
use super::{Caller, Error, Result};
use crate::AppState;

/// The scanner id of events a correction adds.
const CORRECTION_SCANNER: &str = "correction";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(trail, correct))
}

/// A correction (`kind`: `add` with `event`, `move` with `target` and `to_ts`, `void` with
/// `target`), always with a `reason`.
// No `deny_unknown_fields`: serde does not support it beside `flatten`.
#[derive(Deserialize, ToSchema)]
#[schema(as = CorrectionBody)]
pub(crate) struct Body {
    /// Why, in the manager's words; never empty.
    reason: String,
    #[serde(flatten)]
    change: Asked,
}

#[derive(Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Asked {
    Add {
        event: Added,
    },
    Move {
        target: EventKey,
        #[schema(value_type = String, format = DateTime)]
        to_ts: Time,
    },
    Void {
        target: EventKey,
    },
}

/// A scan nobody made: `{ts, badge, action, …the scan's fields}`.
#[derive(Deserialize, ToSchema)]
pub(crate) struct Added {
    #[schema(value_type = String, format = DateTime)]
    ts: Time,
    badge: Id,
    #[serde(flatten)]
    kind: EventKind,
}

/// Adds, moves or voids an event, with a reason (contract §4).
#[utoipa::path(post, path = "/api/v1/sites/{site}/corrections", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id")), request_body = Body,
    responses((status = 201, body = Corrected), (status = 422, description = "refused, with why", body = super::error::ErrorBody), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    Json(body): Json<Body>,
) -> Result<(StatusCode, axum::Json<Corrected>)> {
    let live = caller.site(&state, &site, MANAGER)?;
    let line = apply(&state, &live.config.id, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(line)))
}

/// Makes the correction `body` asks for at `site`, by `caller` (already allowed there): the
/// API's and the review page's one path.
pub(crate) async fn apply(
    state: &AppState,
    site: &Id,
    caller: &Caller,
    body: Body,
) -> Result<Corrected> {
    let reason = body.reason.trim().to_string();
    let change = match body.change {
        Asked::Add { event } => Amendment::Add {
            event: Event {
                key: EventKey {
                    ts: event.ts,
                    scanner: Id::new(CORRECTION_SCANNER)
                        .map_err(|e| Error::Internal(e.to_string()))?,
                    // The ledger numbers it with the correction's id.
                    seq: 0,
                },
                badge: event.badge,
                kind: event.kind,
            },
        },
        Asked::Move { target, to_ts } => Amendment::Move { target, to_ts },
        Asked::Void { target } => Amendment::Void { target },
    };
    let by = caller.who(state).ok_or(Error::Unauthorized)?;
    state
        .ledger
        .correct(site, by, reason, change, jiff::Timestamp::now())
        .await
        .map_err(|e| match e {
            CorrectError::Refused(e) => Error::Unprocessable(e.to_string()),
            CorrectError::Store(e) => Error::Store(e),
        })
}

/// The audit trail: every correction with the event before and after.
#[utoipa::path(get, path = "/api/v1/sites/{site}/corrections", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id")), responses((status = 200, body = [Corrected]), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn trail(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<axum::Json<Vec<Corrected>>> {
    let live = caller.site(&state, &site, MANAGER)?;
    Ok(axum::Json(live.read(|w| w.corrections().to_vec())))
}
