//! A stored, accepted scan as the domain sees it.

use bayline_proto::{Action, CallReason, Id};
use serde::{Deserialize, Serialize};

use crate::Time;

/// Where an event stands in every timeline: sorted by `ts`, then scanner, then seq
/// (contract §4 "Order"). Unique per site: `(scanner, seq)` is the scan's identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventKey {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub ts: Time,
    pub scanner: Id,
    pub seq: u64,
}

/// One event of a site's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub key: EventKey,
    pub badge: Id,
    pub kind: EventKind,
}

/// What happened, with exactly the fields the action needs (contract §3.1). Serialised with
/// the contract's action names: `{"action": "start", "job": …, "op": …, "bay": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventKind {
    CheckIn {
        job: Id,
    },
    Start {
        job: Id,
        op: Id,
        bay: Id,
    },
    Pause {
        job: Id,
        op: Id,
        /// One of the five, or the id of one of the site's own reasons.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        reason: crate::Reason,
    },
    /// `bay: None` means the op's last bay.
    Resume {
        job: Id,
        op: Id,
        bay: Option<Id>,
    },
    Finish {
        job: Id,
        op: Id,
    },
    QcPass {
        job: Id,
    },
    /// `op: None` reopens every op; `note` is the inspector's free text.
    QcFail {
        job: Id,
        op: Option<Id>,
        note: Option<String>,
    },
    WashStart {
        job: Id,
        bay: Option<Id>,
    },
    WashDone {
        job: Id,
        bay: Option<Id>,
    },
    Ready {
        job: Id,
    },
    Delivered {
        job: Id,
    },
    ShiftStart,
    ShiftEnd,
    /// Andon: `bay: None` means the bay the badge is clocked on at.
    Call {
        bay: Option<Id>,
        reason: CallReason,
    },
    Answer {
        bay: Id,
    },
    Clear {
        bay: Id,
    },
}

impl EventKind {
    pub fn action(&self) -> Action {
        match self {
            EventKind::CheckIn { .. } => Action::CheckIn,
            EventKind::Start { .. } => Action::Start,
            EventKind::Pause { .. } => Action::Pause,
            EventKind::Resume { .. } => Action::Resume,
            EventKind::Finish { .. } => Action::Finish,
            EventKind::QcPass { .. } => Action::QcPass,
            EventKind::QcFail { .. } => Action::QcFail,
            EventKind::WashStart { .. } => Action::WashStart,
            EventKind::WashDone { .. } => Action::WashDone,
            EventKind::Ready { .. } => Action::Ready,
            EventKind::Delivered { .. } => Action::Delivered,
            EventKind::ShiftStart => Action::ShiftStart,
            EventKind::ShiftEnd => Action::ShiftEnd,
            EventKind::Call { .. } => Action::Call,
            EventKind::Answer { .. } => Action::Answer,
            EventKind::Clear { .. } => Action::Clear,
        }
    }

    pub fn job(&self) -> Option<&Id> {
        match self {
            EventKind::CheckIn { job }
            | EventKind::Start { job, .. }
            | EventKind::Pause { job, .. }
            | EventKind::Resume { job, .. }
            | EventKind::Finish { job, .. }
            | EventKind::QcPass { job }
            | EventKind::QcFail { job, .. }
            | EventKind::WashStart { job, .. }
            | EventKind::WashDone { job, .. }
            | EventKind::Ready { job }
            | EventKind::Delivered { job } => Some(job),
            EventKind::ShiftStart
            | EventKind::ShiftEnd
            | EventKind::Call { .. }
            | EventKind::Answer { .. }
            | EventKind::Clear { .. } => None,
        }
    }

    pub fn op(&self) -> Option<&Id> {
        match self {
            EventKind::Start { op, .. }
            | EventKind::Pause { op, .. }
            | EventKind::Resume { op, .. }
            | EventKind::Finish { op, .. } => Some(op),
            EventKind::QcFail { op, .. } => op.as_ref(),
            _ => None,
        }
    }

    /// The bay the scan names, if any (not the one it resolves to).
    pub fn bay(&self) -> Option<&Id> {
        match self {
            EventKind::Start { bay, .. } | EventKind::Answer { bay } | EventKind::Clear { bay } => {
                Some(bay)
            }
            EventKind::Resume { bay, .. }
            | EventKind::Call { bay, .. }
            | EventKind::WashStart { bay, .. }
            | EventKind::WashDone { bay, .. } => bay.as_ref(),
            _ => None,
        }
    }
}
