//! A manager's correction of the timeline (contract §4 "Corrections"): add, move or void an
//! event, with who and why. A correction is kept like an event: the original stays visible
//! beside the corrected timeline, and every figure is recomputed from the corrected one.
//! Storing corrections is the store's job; they are serde-serialisable for it.

use serde::{Deserialize, Serialize};

use crate::{Event, EventKey, Id, RejectCode, Time};

/// One correction, as the manager made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correction {
    /// Unique per site, given by whoever stores it; corrections apply in the order made,
    /// which restoring takes to be the order of ids.
    pub id: u64,
    /// Who made it: the manager token's name (or role).
    pub by: Id,
    /// When it was made (not when the corrected event happened).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Time,
    /// Why, in the manager's words; never empty.
    pub reason: String,
    pub change: Amendment,
}

/// What a correction does to the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Amendment {
    /// Adds an event no scanner sent (a forgotten scan). Its key must be new: the API layer
    /// should give it a scanner id of its own (e.g. `manager`) and a fresh seq.
    Add { event: Event },
    /// Moves an event of the corrected timeline to another instant; it keeps its scanner and
    /// seq, so its key becomes `(to_ts, scanner, seq)`.
    Move {
        target: EventKey,
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        to_ts: Time,
    },
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Corrected {
    pub correction: Correction,
    /// The event as it was before (`None` for an add).
    pub before: Option<Event>,
    /// The event as it is after (`None` for a void).
    pub after: Option<Event>,
}

impl Correction {
    /// The earliest instant this correction changes the timeline at.
    pub fn earliest(&self) -> Time {
        match &self.change {
            Amendment::Add { event } => event.key.ts,
            Amendment::Move { target, to_ts } => target.ts.min(*to_ts),
            Amendment::Void { target } => target.ts,
        }
    }
}

/// What `corrections` (in the order made) do to the stored events, as a stream can apply
/// them: the keys they take out, and the events they put in (added, or moved to a new key).
/// `stored` holds the stored events they name; a correction whose target is missing is
/// skipped, as [`crate::Workshop::restore_corrections`] would.
pub fn as_stream(
    corrections: &[Correction],
    stored: impl IntoIterator<Item = Event>,
) -> (std::collections::BTreeSet<EventKey>, Vec<Event>) {
    use std::collections::{BTreeMap, BTreeSet};
    let mut known: BTreeMap<EventKey, Event> =
        stored.into_iter().map(|e| (e.key.clone(), e)).collect();
    let mut out: BTreeSet<EventKey> = BTreeSet::new();
    let mut put: BTreeMap<EventKey, Event> = BTreeMap::new();
    let mut sorted: Vec<&Correction> = corrections.iter().collect();
    sorted.sort_by_key(|c| c.id);
    for c in sorted {
        match &c.change {
            Amendment::Add { event } => {
                put.insert(event.key.clone(), event.clone());
            }
            Amendment::Move { target, to_ts } => {
                let Some(mut e) = put.remove(target).or_else(|| known.remove(target)) else {
                    continue;
                };
                out.insert(target.clone());
                e.key.ts = *to_ts;
                put.insert(e.key.clone(), e);
            }
            Amendment::Void { target } => {
                if put.remove(target).is_none() && known.remove(target).is_some() {
                    out.insert(target.clone());
                }
            }
        }
    }
    (out, put.into_values().collect())
}
