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
    /// The kind of work (保养 maintenance, 事故 accident, 索赔 warranty…): `group_by=service`.
    pub service: Option<String>,
    /// The earlier job this one comes back from (外返); without it, the plate rule decides.
    pub comeback_of: Option<String>,
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
    /// The token's `[[tokens]] name`, else its role and fingerprint (`manager-3f2a9c`);
    /// `customer` for an answer given on the status link.
    pub who: String,
    /// `card`, or for an approval request (contract §7.5) `approval_opened` or
    /// `approval_answered`.
    pub kind: String,
    /// A `card` entry: the card as put (the foreman's assignments apart).
    #[schema(value_type = Option<Object>)]
    pub card: Option<serde_json::Value>,
    /// A `card` entry: `plate`, `vehicle`, `customer`, `advisor`, `service`,
    /// `comeback_of`, `promised_at`, `waiting_until`, `wash`, `ops`.
    pub changed: Option<Vec<String>>,
    /// An approval entry: the request as it is now.
    pub approval: Option<Approval>,
}

/// `POST …/jobs/{job}/link` (body optional).
#[derive(ToSchema)]
pub struct LinkRequest {
    /// When the link stops opening; absent: 24 h after the car is delivered.
    pub expires_at: Option<String>,
}

/// A status link for the customer's phone (contract §7.5).
#[derive(ToSchema)]
pub struct LinkAnswer {
    /// `…/c/{token}`: the site's `public_url`, else the address the request came to.
    pub url: String,
    /// `null`: 24 h after the car is delivered.
    pub expires_at: Option<String>,
}

/// `POST …/jobs/{job}/approvals`: the extra work to ask the customer about.
#[derive(ToSchema)]
pub struct ApprovalRequest {
    pub message: Option<String>,
    pub ops: Vec<ApprovalOp>,
}

#[derive(ToSchema)]
pub struct ApprovalOp {
    /// The op id it gets on the job card once approved (not on the card yet).
    pub op: String,
    pub title: String,
    pub std_hours: f64,
    pub price: f64,
    /// An http(s) URL of a photo showing why.
    pub photo: Option<String>,
}

/// An approval request with each op's answer, who and when.
#[derive(ToSchema)]
pub struct Approval {
    pub id: i64,
    pub job: String,
    pub message: String,
    pub opened_at: String,
    pub opened_by: String,
    /// Every op has its answer.
    pub answered: bool,
    pub ops: Vec<ApprovalOpState>,
}

#[derive(ToSchema)]
pub struct ApprovalOpState {
    pub op: String,
    pub title: String,
    pub std_hours: f64,
    pub price: f64,
    pub photo: Option<String>,
    /// `approved`, `declined`, or `null` while open.
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    /// `customer` (on the link), else the advisor who took it by phone.
    pub answered_by: Option<String>,
}

/// `POST …/approvals/{approval}/answer`: what the customer said on the phone.
#[derive(ToSchema)]
pub struct PhoneAnswer {
    pub answers: Vec<OpAnswer>,
}

#[derive(ToSchema)]
pub struct OpAnswer {
    pub op: String,
    pub approved: bool,
}
