//! What every handler shares.

use std::sync::{Arc, OnceLock};

use bayline_ledger::Ledger;

use crate::customer::limit::Limiter;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

#[derive(Clone)]
pub struct AppState {
    /// The live sites and the single write path.
    pub ledger: Arc<Ledger>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The built-in broker's MQTT-over-WebSocket port and whether it is `wss://`, for the
    /// handhelds' provisioning codes; `None` with an external broker.
    pub handheld_ws: Option<(u16, bool)>,
    /// The per-address limit on the customers' `/c/` pages.
    pub limiter: Arc<Limiter>,
    /// Behind a proxy: `/c/` counts requests by the last `X-Forwarded-For` address, not the
    /// peer (which is the proxy).
    pub trust_forwarded_for: bool,
}

impl AppState {
    pub fn new(ledger: Arc<Ledger>) -> AppState {
        AppState {
            ledger,
            metrics: metrics_handle(),
            handheld_ws: None,
            limiter: Arc::default(),
            trust_forwarded_for: false,
        }
    }

    pub fn trusting_forwarded_for(self, trust: bool) -> AppState {
        AppState {
            trust_forwarded_for: trust,
            ..self
        }
    }

    pub fn with_handheld_ws(self, port: u16, tls: bool) -> AppState {
        AppState {
            handheld_ws: Some((port, tls)),
            ..self
        }
    }
}

/// The process-wide Prometheus recorder: installed once, shared by every server in the
/// process (tests start many).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed; then ours still renders its own.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
