//! A manager's correction of the timeline (contract §4 "Corrections"): add, move or void an
//! event, with who and why. A correction is kept like an event: the original stays visible
//! beside the corrected timeline, and every figure is recomputed from the corrected one.
//! Storing corrections is the store's job; they are serde-serialisable for it.

use serde::{Deserialize, Serialize};

use crate::{Event, EventKey, Id, RejectCode, Time};

/// One correction, as the manager made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    /// Unique per site, given by whoever stores it; corrections apply in the order made,
    /// which restoring takes to be the order of ids.
    pub id: u64,
    /// Who made it: the manager token's name (or role).
    pub by: Id,
    /// When it was made (not when the corrected event happened).
    pub at: Time,
    /// Why, in the manager's words; never empty.
    pub reason: String,
    pub change: Change,
}

/// What a correction does to the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Adds an event no scanner sent (a forgotten scan). Its key must be new: the API layer
    /// should give it a scanner id of its own (e.g. `manager`) and a fresh seq.
    Add { event: Event },
    /// Moves an event of the corrected timeline to another instant; it keeps its scanner and
    /// seq, so its key becomes `(to_ts, scanner, seq)`.
    Move { target: EventKey, to_ts: Time },
    /// Takes an event out of the corrected timeline.
    Void { target: EventKey },
}

/// Why a correction was refused; the timeline is then unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionError {
    #[error("a correction needs a reason")]
    NoReason,
    #[error("correction {0} was already made")]
    DuplicateId(u64),
    #[error("no event {} #{} at {} in the timeline", .0.scanner, .0.seq, .0.ts)]
    NoSuchEvent(EventKey),
    #[error("an event {} #{} at {} is already in the timeline", .0.scanner, .0.seq, .0.ts)]
    KeyTaken(EventKey),
    #[error("the added event would be rejected: {0}")]
    Rejected(RejectCode),
    #[error("the event is already at that time")]
    Unchanged,
}

/// A correction with the event before and after it: the audit trail's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Corrected {
    pub correction: Correction,
    /// The event as it was before (`None` for an add).
    pub before: Option<Event>,
    /// The event as it is after (`None` for a void).
    pub after: Option<Event>,
}
