//! The public lounge feed: masked plates, no names (contract §5).

use axum::extract::{Path, State};
use bayline_domain::view::LoungeRow;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::public_site;
use super::Result;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(lounge))
}

/// The lounge board's rows: masked plates, no names. Public.
#[utoipa::path(get, path = "/api/v1/sites/{site}/lounge", tag = "public",
    params(("site" = String, Path, description = "site id")), responses((status = 200, body = [LoungeRow]), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn lounge(
    State(state): State<AppState>,
    Path(site): Path<String>,
) -> Result<axum::Json<Vec<LoungeRow>>> {
    let live = public_site(&state, &site)?;
    let now = jiff::Timestamp::now();
    let lang = live.config.language;
    Ok(axum::Json(live.read(|w| w.lounge(now, lang))))
}
