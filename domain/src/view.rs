//! What the API, the boards and the lounge show, computed from the state at `now`.
//! Field names are the contract's (§5): durations are hours unless the name ends in `_s`.

use serde::Serialize;

use crate::{BayKind, Id, PauseReason, Reason, Stage, Time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OpStatus {
    /// Never clocked on.
    Open,
    /// Someone is clocked on it now.
    Active,
    /// Clocked on before, nobody now, not finished.
    Paused,
    Finished,
}

/// What a job without an ETA waits for (contract §7.2 `eta_pending`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Wait {
    Parts,
    Approval,
}

impl Wait {
    /// The pause reason of the wait, as boards carry it.
    pub fn reason(self) -> PauseReason {
        match self {
            Wait::Parts => PauseReason::Parts,
            Wait::Approval => PauseReason::Approval,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub op: Id,
    pub title: String,
    pub status: OpStatus,
    pub std_hours: f64,
    /// Σ over badges of clocked time on this op, open intervals counted up to `now`.
    pub clocked_hours: f64,
    /// The badges clocked on it now.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub badges: Vec<Id>,
    /// The foreman's plan for it (§7.3), absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment: Option<crate::dispatch::Assignment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
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
    /// When the remaining work is done, counted in working time only (§7.2): never before
    /// `now` nor in closed time while the job is not ready; `ready_at` once it is. `null`
    /// while the job waits with no `waiting_until`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub eta: Option<Time>,
    /// Why `eta` is `null`: the wait with no known end.
    pub eta_pending: Option<Wait>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub promised_at: Option<Time>,
    /// The expected end of the current wait, from the job card.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub waiting_until: Option<Time>,
    /// The ETA (or, when `null`, now) is after `promised_at`.
    pub late: bool,
    /// Not ready, and `promised_at` is near (site key `at_risk_min`) or passed.
    pub at_risk: bool,
    pub ops: Vec<OpView>,
    /// The bay the job holds, if any.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub bay: Option<Id>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub checked_in_at: Option<Time>,
    /// When the job first reached stage `ready`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub ready_at: Option<Time>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub delivered_at: Option<Time>,
}

pub use bayline_proto::board::BayState;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BayView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub bay: Id,
    pub kind: BayKind,
    pub state: BayState,
    /// Why a blocked bay is blocked: the reason of the holding job's most recent clock-off
    /// (`switched` and `finish` count as `other`), by its name: one of the five or the site's
    /// own reason's id.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub reason: Option<Reason>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub job: Option<Id>,
    /// The op being worked, or the one most recently clocked off when blocked.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub op: Option<Id>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub badges: Vec<Id>,
    /// When the bay entered its current state.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub since: Option<Time>,
    /// Clocked seconds on `op` (all badges, up to `now`).
    pub clocked_s: i64,
    /// Standard seconds of `op`.
    pub std_s: i64,
    /// The bay's open andon call (contract §7.7), `null` when there is none.
    pub call: Option<BayCall>,
}

/// An open andon call as a bay shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BayCall {
    /// Who called.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub badge: Id,
    pub reason: bayline_proto::CallReason,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub opened: Time,
    /// When the helper said they came; `null` while nobody has.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub answered: Option<Time>,
}

/// A lounge row: nothing here may identify the customer (contract §5).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoungeRow {
    /// Masked by [`mask_plate`].
    pub plate: String,
    pub vehicle: String,
    pub stage: Stage,
    pub stage_label: String,
    pub progress: f64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub eta: Option<Time>,
    pub eta_pending: Option<Wait>,
    pub late: bool,
    pub at_risk: bool,
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
