//! What the API, the boards and the lounge show, computed from the state at `now`.
//! Field names are the contract's (§5): durations are hours unless the name ends in `_s`.

use serde::Serialize;

use crate::{BayKind, Id, PauseReason, Stage, Time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpStatus {
    /// Never clocked on.
    Open,
    /// Someone is clocked on it now.
    Active,
    /// Clocked on before, nobody now, not finished.
    Paused,
    Finished,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpView {
    pub op: Id,
    pub title: String,
    pub status: OpStatus,
    pub std_hours: f64,
    /// Σ over badges of clocked time on this op, open intervals counted up to `now`.
    pub clocked_hours: f64,
    /// The badges clocked on it now.
    pub badges: Vec<Id>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobView {
    pub job: Id,
    pub plate: String,
    pub vehicle: String,
    pub customer: String,
    pub advisor: String,
    pub service: String,
    pub wash: bool,
    pub stage: Stage,
    /// 0.0..=1.0 (contract §4 "Progress and ETA").
    pub progress: f64,
    /// Never before `now` while the job is not ready; `ready_at` once it is.
    pub eta: Option<Time>,
    pub promised_at: Option<Time>,
    pub late: bool,
    pub ops: Vec<OpView>,
    /// The bay the job holds, if any.
    pub bay: Option<Id>,
    pub checked_in_at: Option<Time>,
    /// When the job first reached stage `ready`.
    pub ready_at: Option<Time>,
    pub delivered_at: Option<Time>,
}

pub use bayline_proto::board::BayState;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BayView {
    pub bay: Id,
    pub kind: BayKind,
    pub state: BayState,
    /// Why a blocked bay is blocked: the reason of the holding job's most recent clock-off
    /// (`switched` and `finish` count as `other`).
    pub reason: Option<PauseReason>,
    pub job: Option<Id>,
    /// The op being worked, or the one most recently clocked off when blocked.
    pub op: Option<Id>,
    pub badges: Vec<Id>,
    /// When the bay entered its current state.
    pub since: Option<Time>,
    /// Clocked seconds on `op` (all badges, up to `now`).
    pub clocked_s: i64,
    /// Standard seconds of `op`.
    pub std_s: i64,
}

/// A lounge row: nothing here may identify the customer (contract §5).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoungeRow {
    /// Masked by [`mask_plate`].
    pub plate: String,
    pub vehicle: String,
    pub stage: Stage,
    pub stage_label: String,
    pub progress: f64,
    pub eta: Option<Time>,
    pub late: bool,
}

/// The plate as the lounge shows it (contract §5), masked by the same rule as the boards.
pub fn mask_plate(plate: &str) -> String {
    bayline_proto::board::MaskedPlate::mask(plate)
        .as_str()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_are_masked_as_the_contract_shows() {
        assert_eq!(mask_plate("粤B12345"), "粤B***45");
        assert_eq!(mask_plate("京AD12345"), "京A****45");
        assert_eq!(mask_plate("AB12CDE"), "AB***DE");
        assert_eq!(mask_plate("AB123"), "AB*23");
    }

    #[test]
    fn short_plates_are_never_shown_whole() {
        assert_eq!(mask_plate("ABCD"), "AB**");
        assert_eq!(mask_plate("AB"), "A*");
        assert_eq!(mask_plate("A"), "*");
        assert_eq!(mask_plate(""), "");
    }
}
