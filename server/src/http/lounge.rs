//! The public lounge feed: masked plates, no names (contract §5).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use bayline_domain::view::LoungeRow;

use super::auth::public_site;
use super::Result;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/sites/{site}/lounge", get(lounge))
}

async fn lounge(
    State(state): State<AppState>,
    Path(site): Path<String>,
) -> Result<axum::Json<Vec<LoungeRow>>> {
    let live = public_site(&state, &site)?;
    let now = jiff::Timestamp::now();
    let lang = live.config.language;
    Ok(axum::Json(live.read(|w| w.lounge(now, lang))))
}
