//! What every handler shares.

use std::sync::{Arc, OnceLock};

use bayline_ledger::Ledger;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

#[derive(Clone)]
pub struct AppState {
    /// The live sites and the single write path.
    pub ledger: Arc<Ledger>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
}

impl AppState {
    pub fn new(ledger: Arc<Ledger>) -> AppState {
        AppState {
            ledger,
            metrics: metrics_handle(),
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
