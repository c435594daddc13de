//! Live changes for managers as Server-Sent Events, with keep-alive.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures::Stream;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

use super::auth::MANAGER;
use super::{Caller, Result};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/sites/{site}/events", get(events))
}

async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let live = caller.site(&state, &site, MANAGER)?;
    let site = live.config.id.clone();
    let changes = BroadcastStream::new(state.ledger.subscribe());
    let stream = changes.filter_map(move |c| match c {
        Ok(c) if c.site == site => Some(Ok(Event::default()
            .event(c.kind)
            .json_data(&c)
            .unwrap_or_default())),
        Ok(_) => None,
        // A slow client missed changes: tell it to re-read rather than pretend.
        Err(_) => Some(Ok(Event::default().event("lagged").data("{}"))),
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
