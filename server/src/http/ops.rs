//! For operators: liveness and Prometheus metrics.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(metrics))
}

/// `{"status": …}`: `ok`, or `database unreachable`.
#[derive(Serialize, ToSchema)]
struct Health {
    #[schema(value_type = String)]
    status: &'static str,
}

/// Liveness: 200 while the database answers, 503 when it does not.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "the database answers", body = Health), (status = 503, description = "database unreachable", body = Health)))]
async fn healthz(State(state): State<AppState>) -> (StatusCode, axum::Json<Health>) {
    match state.ledger.store().ping().await {
        Ok(()) => (StatusCode::OK, axum::Json(Health { status: "ok" })),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            let status = "database unreachable";
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(Health { status }),
            )
        }
    }
}

/// Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "metrics", content_type = "text/plain")))]
async fn metrics(
    State(state): State<AppState>,
) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(),
    )
}
