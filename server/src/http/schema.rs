//! The shapes of the JSON bodies, for the OpenAPI document only. The real types live in
//! `domain`, which stays free of HTTP concerns; these mirror their serde output field for
//! field. Nothing checks the mirrors against real answers yet: change both together.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

/// `{"error": {"code", "message"}}` (contract §5).
#[derive(ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(ToSchema)]
pub struct ErrorDetail {
    /// `unauthorized`, `forbidden`, `not_found`, `bad_request`, `invalid`, `too_large`, `internal`.
    pub code: String,
    pub message: String,
}

/// One labour line of a job as the timeline has left it.
#[derive(ToSchema)]
pub struct OpView {
    pub op: String,
    pub title: String,
    /// `open` | `active` | `paused` | `finished`.
    pub status: String,
    pub std_hours: f64,
    pub clocked_hours: f64,
    /// Badges clocked on it now.
    pub badges: Vec<String>,
}

/// A job card with its stage, progress and ETA (contract §5 `GET …/jobs/{job}`).
#[derive(ToSchema)]
pub struct JobView {
    pub job: String,
    pub plate: String,
    pub vehicle: String,
    pub customer: String,
    pub advisor: String,
    pub service: String,
    pub wash: bool,
    /// `booked` | `checked_in` | `in_progress` | `waiting_parts` | `waiting_approval` |
    /// `quality_check` | `washing` | `ready` | `delivered`.
    pub stage: String,
    /// 0..=1.
    pub progress: f64,
    /// RFC 3339.
    pub eta: Option<String>,
    pub promised_at: Option<String>,
    pub late: bool,
    pub ops: Vec<OpView>,
    pub bay: Option<String>,
    pub checked_in_at: Option<String>,
    pub ready_at: Option<String>,
    pub delivered_at: Option<String>,
}

/// One bay now (contract §5 `GET …/bays`).
#[derive(ToSchema)]
pub struct BayView {
    pub bay: String,
    /// `lift` | `alignment` | `body` | `paint` | `wash` | `qc` | `other`.
    pub kind: String,
    /// `idle` | `working` | `blocked`.
    pub state: String,
    /// Why a blocked bay is blocked: `parts` | `approval` | `break` | `shift_end` | `other`.
    pub reason: Option<String>,
    pub job: Option<String>,
    pub op: Option<String>,
    pub badges: Vec<String>,
    pub since: Option<String>,
    pub clocked_s: i64,
    pub std_s: i64,
}

/// A lounge row: masked plate, no name (contract §5).
#[derive(ToSchema)]
pub struct LoungeRow {
    pub plate: String,
    pub vehicle: String,
    pub stage: String,
    pub stage_label: String,
    pub progress: f64,
    pub eta: Option<String>,
    pub late: bool,
}

/// Bay hours blocked by the reason holding the bay.
#[derive(ToSchema, Serialize)]
pub struct BlockedByReason {
    pub parts: f64,
    pub approval: f64,
    #[serde(rename = "break")]
    pub break_: f64,
    pub other: f64,
}

/// The figures of contract §6; ratios are `null` on a zero denominator.
#[derive(ToSchema, Serialize)]
pub struct Figures {
    pub clocked_hours: f64,
    pub sold_hours: f64,
    pub available_hours: Option<f64>,
    pub labour_efficiency: Option<f64>,
    pub labour_utilisation: Option<f64>,
    pub productivity: Option<f64>,
    pub bay_utilisation: Option<f64>,
    pub bay_blocked_hours: Option<f64>,
    pub bay_blocked_hours_by_reason: Option<BlockedByReason>,
    pub first_time_fix_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub avg_cycle_hours: Option<f64>,
    pub jobs_delivered: u32,
}

/// One group's figures: `key` is the badge, the bay or the local date.
#[derive(ToSchema, Serialize)]
pub struct KpiRow {
    pub key: String,
    pub figures: Figures,
}

/// The period's figures at the top level, and rows when grouped.
#[derive(ToSchema, Serialize)]
pub struct KpiAnswer {
    pub from: String,
    pub to: String,
    #[schema(inline)]
    #[serde(flatten)]
    pub figures: Figures,
    /// `badge` | `bay` | `day`, when asked.
    pub group_by: Option<String>,
    pub rows: Option<Vec<KpiRow>>,
}

/// Something §4 kept but did not apply; no scanner, seq or action for a forgotten clock-off.
#[derive(ToSchema)]
pub struct Anomaly {
    pub scanner: Option<String>,
    pub seq: Option<u64>,
    pub ts: String,
    pub badge: String,
    pub action: Option<String>,
    pub job: Option<String>,
    pub op: Option<String>,
    pub bay: Option<String>,
    pub code: String,
}

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
