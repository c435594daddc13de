//! Live changes for managers as Server-Sent Events, with keep-alive.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use bayline_ledger::Update;
use bayline_proto::Id;
use futures::Stream;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::MANAGER;
use super::{Caller, Result};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// Live changes as Server-Sent Events: `scan`, `job`, `correction` (JSON data with `site`,
/// `kind`, `job`, `bay`, `badge`, `action`, `at`), and `lagged` when some were missed.
#[utoipa::path(get, path = "/api/v1/sites/{site}/events", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id")), responses((status = 200, description = "an event stream", content_type = "text/event-stream"), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let live = caller.site(&state, &site, MANAGER)?;
    let stream = site_changes(&state, live.config.id.clone()).map(|c| {
        Ok(match c {
            Some(c) => Event::default()
                .event(c.kind.as_str())
                .json_data(&c)
                .unwrap_or_default(),
            // A slow client missed changes: tell it to re-read rather than pretend.
            None => Event::default().event("lagged").data("{}"),
        })
    });
    Ok(Sse::new(stream).keep_alive(keep_alive()))
}

/// The live changes of one site; `None` when the receiver lagged and missed some.
pub(crate) fn site_changes(state: &AppState, site: Id) -> impl Stream<Item = Option<Update>> {
    BroadcastStream::new(state.ledger.subscribe()).filter_map(move |c| match c {
        Ok(c) if c.site == site => Some(Some(c)),
        Ok(_) => None,
        Err(_) => Some(None),
    })
}

/// Comments often enough that proxies and browsers keep an idle stream open.
pub(crate) fn keep_alive() -> KeepAlive {
    KeepAlive::new().interval(Duration::from_secs(15))
}
