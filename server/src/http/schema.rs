//! The shapes of the JSON bodies in the OpenAPI document. The views (jobs, bays, lounge,
//! figures) are the domain's own types, their schemas derived (`bayline-domain/openapi`);
//! so are the error body and anomalies; the bodies below are written as `json!` or stored
//! rows, so they are described here, and `tests` checks real answers against all of them.
#![allow(dead_code)]

use utoipa::ToSchema;

pub use super::error::ErrorBody;
pub use super::review::Anomaly;
pub use bayline_domain::view::{BayView, JobView, LoungeRow};

/// A rejected scan, kept with its code and first bytes.
#[derive(ToSchema)]
pub struct Rejected {
    pub id: i64,
    pub scanner: String,
    pub seq: Option<u64>,
    pub received_at: String,
    pub code: String,
    pub detail: Option<String>,
    pub size: i64,
    pub raw: String,
}

/// A job card to create or update.
#[derive(ToSchema)]
pub struct JobCard {
    pub plate: Option<String>,
    pub vehicle: Option<String>,
    pub customer: Option<String>,
    pub advisor: Option<String>,
    pub service: Option<String>,
    pub promised_at: Option<String>,
    /// When the current wait for parts or approval is expected to end: the ETA starts there.
    pub waiting_until: Option<String>,
    /// Default true.
    pub wash: Option<bool>,
    pub ops: Vec<OpCard>,
}

#[derive(ToSchema)]
pub struct OpCard {
    pub op: String,
    pub title: Option<String>,
    pub std_hours: f64,
}

/// A correction (`kind`: `add` with `event`, `move` with `target` and `to_ts`, `void` with
/// `target`), always with a `reason`.
#[derive(ToSchema)]
pub struct CorrectionBody {
    /// `add` | `move` | `void`.
    pub kind: String,
    pub reason: String,
    /// For `add`: `{ts, badge, action, …the scan's fields}`.
    #[schema(value_type = Option<Object>)]
    pub event: Option<serde_json::Value>,
    /// For `move` and `void`: `{ts, scanner, seq}` of the event.
    #[schema(value_type = Option<Object>)]
    pub target: Option<serde_json::Value>,
    pub to_ts: Option<String>,
}

/// A correction with the event before and after it: one line of the audit trail.
#[derive(ToSchema)]
pub struct Corrected {
    #[schema(value_type = Object)]
    pub correction: serde_json::Value,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// One version of a job card (contract §7.6): who put it, when, and which fields differ from
/// the version before (none for the first one kept).
#[derive(ToSchema)]
pub struct CardVersion {
    pub at: String,
    /// The token's `[[tokens]] name`, else its role and fingerprint (`manager-3f2a9c`).
    pub who: String,
    /// The card as put (the foreman's assignments apart).
    #[schema(value_type = Object)]
    pub card: serde_json::Value,
    /// `plate`, `vehicle`, `customer`, `advisor`, `service`, `promised_at`,
    /// `waiting_until`, `wash`, `ops`.
    pub changed: Vec<String>,
}
