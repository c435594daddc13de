//! Bay occupancy for managers.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use bayline_domain::view::BayView;

use super::auth::MANAGER;
use super::{Caller, Result};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/sites/{site}/bays", get(bays))
}

async fn bays(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<axum::Json<Vec<BayView>>> {
    let live = caller.site(&state, &site, MANAGER)?;
    let now = jiff::Timestamp::now();
    Ok(axum::Json(live.read(|w| w.bays(now))))
}
