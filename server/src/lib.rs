//! The bayline HTTP server (`docs/http.md`): the API for advisors, integrations and managers,
//! the public lounge feed, live changes as Server-Sent Events, `/healthz` and `/metrics`.
//!
//! # Layout
//! - [`state`]: [`AppState`], what every handler shares.
//! - [`http`]: one module per route group, each exporting `router()`, merged in
//!   [`http::router`]; errors, auth and the JSON extractor beside them.
//! - [`customer`]: status-link tokens, the `/c/` limit, webhook delivery (contract §7.5).
//! - [`web`]: the manager and lounge pages, server-rendered HTML, merged into the same router.
pub mod customer;
pub mod http;
pub mod state;
pub mod web;

pub use axum::serve::Listener;
pub use state::AppState;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Serves only `/healthz` and `/metrics` on `listener` until `cancel`: what a process
/// without the API (a fleet's gateway) shows its load balancer and Prometheus.
pub async fn serve_ops(
    listener: TcpListener,
    state: AppState,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, http::ops_router(state))
        .with_graceful_shutdown(async move { cancel.cancelled().await })
        .await
}

/// Serves the API and the pages on `listener` (plain TCP, or TLS for HTTPS) until `cancel`.
pub async fn serve<L>(
    listener: L,
    state: AppState,
    cancel: CancellationToken,
) -> std::io::Result<()>
where
    L: Listener<Addr = std::net::SocketAddr>,
{
    use axum::serve::ListenerExt;
    // The peer address reaches handlers for the `/c/` rate limit; axum hands it on for any
    // listener once its connections pass through `tap_io`.
    let app = http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener.tap_io(|_| {}), app)
        .with_graceful_shutdown(async move { cancel.cancelled().await })
        .await
}
