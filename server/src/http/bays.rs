//! Bay occupancy for managers.

use axum::extract::{Path, State};
use bayline_domain::view::BayView;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::MANAGER;
use super::{Caller, Result};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(bays))
}

/// Every bay now: idle, working or blocked with the reason.
#[utoipa::path(get, path = "/api/v1/sites/{site}/bays", tag = "workshop", security(("bearer" = []), ("session" = [])),
    params(("site" = String, Path, description = "site id")), responses((status = 200, body = [BayView]), (status = 401, description = "no or unknown token", body = super::error::ErrorBody), (status = 403, description = "token of another site or role", body = super::error::ErrorBody), (status = 404, description = "no such site", body = super::error::ErrorBody)))]
async fn bays(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<axum::Json<Vec<BayView>>> {
    let live = caller.site(&state, &site, MANAGER)?;
    let now = jiff::Timestamp::now();
    Ok(axum::Json(live.read(|w| w.bays(now))))
}
