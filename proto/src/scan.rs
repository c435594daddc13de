//! The scan a handheld publishes on `bayline/{site}/scanners/{scanner}/scan` (contract §3.1).

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::Id;

/// Largest scan payload the gateway parses; larger ones are rejected `too_large` unread.
pub const MAX_SCAN_BYTES: usize = 8 * 1024;
/// Longest `qc_fail` reason, in characters.
pub const MAX_REASON_CHARS: usize = 200;
/// Bytes for a reason of [`MAX_REASON_CHARS`] characters of up to four UTF-8 bytes each.
pub const MAX_REASON_BYTES: usize = MAX_REASON_CHARS * 4;
/// An RFC 3339 time with offset and nanoseconds fits in 40 bytes.
pub const MAX_TS_BYTES: usize = 40;

/// What a scan says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    CheckIn,
    Start,
    Pause,
    Resume,
    Finish,
    QcPass,
    QcFail,
    WashStart,
    WashDone,
    Ready,
    Delivered,
    ShiftStart,
    ShiftEnd,
    /// Andon: a technician calls for help at a bay (contract §7.7).
    Call,
    /// The helper who came says so at the bay.
    Answer,
    /// The bay's call is over.
    Clear,
}

/// Whether an action needs a field, may carry it, or ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Required,
    Optional,
    Unused,
}

/// The fields an action needs (contract §3.1, table "action | needs").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub job: Need,
    pub op: Need,
    pub bay: Need,
    pub reason: Need,
}

impl Action {
    pub const ALL: [Action; 16] = [
        Action::CheckIn,
        Action::Start,
        Action::Pause,
        Action::Resume,
        Action::Finish,
        Action::QcPass,
        Action::QcFail,
        Action::WashStart,
        Action::WashDone,
        Action::Ready,
        Action::Delivered,
        Action::ShiftStart,
        Action::ShiftEnd,
        Action::Call,
        Action::Answer,
        Action::Clear,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::CheckIn => "check_in",
            Action::Start => "start",
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Finish => "finish",
            Action::QcPass => "qc_pass",
            Action::QcFail => "qc_fail",
            Action::WashStart => "wash_start",
            Action::WashDone => "wash_done",
            Action::Ready => "ready",
            Action::Delivered => "delivered",
            Action::ShiftStart => "shift_start",
            Action::ShiftEnd => "shift_end",
            Action::Call => "call",
            Action::Answer => "answer",
            Action::Clear => "clear",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn needs(self) -> Needs {
        use Need::*;
        let (job, op, bay, reason) = match self {
            Action::CheckIn | Action::QcPass | Action::Ready | Action::Delivered => {
                (Required, Unused, Unused, Unused)
            }
            Action::Start => (Required, Required, Required, Unused),
            Action::Pause => (Required, Required, Unused, Required),
            Action::Resume => (Required, Required, Optional, Unused),
            Action::Finish => (Required, Required, Unused, Unused),
            Action::QcFail => (Required, Optional, Unused, Optional),
            Action::WashStart | Action::WashDone => (Required, Unused, Optional, Unused),
            Action::ShiftStart | Action::ShiftEnd => (Unused, Unused, Unused, Unused),
            // A call without a bay is at the badge's current bay (the fold resolves it).
            Action::Call => (Unused, Unused, Optional, Required),
            Action::Answer | Action::Clear => (Unused, Unused, Required, Unused),
        };
        Needs {
            job,
            op,
            bay,
            reason,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a technician clocked off an op without finishing it. `Switched` and `Forgotten` are
/// never sent by a handheld: the system records them when it clocks a badge off by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PauseReason {
    Parts,
    Approval,
    Break,
    ShiftEnd,
    Other,
}

impl PauseReason {
    pub const ALL: [PauseReason; 5] = [
        PauseReason::Parts,
        PauseReason::Approval,
        PauseReason::Break,
        PauseReason::ShiftEnd,
        PauseReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PauseReason::Parts => "parts",
            PauseReason::Approval => "approval",
            PauseReason::Break => "break",
            PauseReason::ShiftEnd => "shift_end",
            PauseReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<PauseReason> {
        PauseReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The words people read for it: on the handheld's reply, the manager's pages and the
    /// boards. The waits read as the stages they put a car in ([`crate::board::Stage::label`]).
    pub fn label(self, language: crate::Language) -> &'static str {
        use crate::Language::{En, Zh};
        match (self, language) {
            (PauseReason::Parts, Zh) => "等待配件",
            (PauseReason::Approval, Zh) => "等待确认",
            (PauseReason::Break, Zh) => "休息",
            (PauseReason::ShiftEnd, Zh) => "下班",
            (PauseReason::Other, Zh) => "其他",
            (PauseReason::Parts, En) => "parts",
            (PauseReason::Approval, En) => "approval",
            (PauseReason::Break, En) => "break",
            (PauseReason::ShiftEnd, En) => "shift end",
            (PauseReason::Other, En) => "other",
        }
    }
}

impl fmt::Display for PauseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who an andon call asks for (contract §7.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CallReason {
    Foreman,
    Parts,
    Qc,
    Tools,
    Other,
}

impl CallReason {
    pub const ALL: [CallReason; 5] = [
        CallReason::Foreman,
        CallReason::Parts,
        CallReason::Qc,
        CallReason::Tools,
        CallReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallReason::Foreman => "foreman",
            CallReason::Parts => "parts",
            CallReason::Qc => "qc",
            CallReason::Tools => "tools",
            CallReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<CallReason> {
        CallReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The words on the handheld's reply, the manager's pages and the boards.
    pub fn label(self, language: crate::Language) -> &'static str {
        use crate::Language::{En, Zh};
        match (self, language) {
            (CallReason::Foreman, Zh) => "班组长",
            (CallReason::Parts, Zh) => "配件",
            (CallReason::Qc, Zh) => "质检",
            (CallReason::Tools, Zh) => "工具",
            (CallReason::Other, Zh) => "其他",
            (CallReason::Foreman, En) => "foreman",
            (CallReason::Parts, En) => "parts",
            (CallReason::Qc, En) => "QC",
            (CallReason::Tools, En) => "tools",
            (CallReason::Other, En) => "other",
        }
    }
}

impl fmt::Display for CallReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scan as it travels on the wire. `reason` is the pause reason's name for `pause`, the
/// call reason's for `call`, or the inspector's free text for `qc_fail`. Unknown fields are ignored (the contract may grow).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    pub v: u64,
    pub seq: u64,
    pub ts: heapless::String<MAX_TS_BYTES>,
    pub badge: Id,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bay: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<heapless::String<MAX_REASON_BYTES>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_name() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.as_str()));
        }
        assert_eq!(Action::parse("explode"), None);
    }

    #[test]
    fn the_contract_example_scan_decodes() {
        let s: Scan = serde_json::from_str(
            r#"{"v":1,"seq":42,"ts":"2026-11-22T09:15:03+08:00","badge":"T07",
                "action":"start","job":"RO-240117","op":"10","bay":"B03"}"#,
        )
        .unwrap();
        assert_eq!(s.seq, 42);
        assert_eq!(s.action, Action::Start);
        assert_eq!(s.bay.as_deref(), Some("B03"));
        assert_eq!(s.reason, None);
    }

    #[test]
    fn start_needs_job_op_and_bay_and_shift_needs_nothing() {
        let n = Action::Start.needs();
        assert_eq!(
            (n.job, n.op, n.bay),
            (Need::Required, Need::Required, Need::Required)
        );
        let n = Action::ShiftEnd.needs();
        assert_eq!(
            (n.job, n.op, n.bay, n.reason),
            (Need::Unused, Need::Unused, Need::Unused, Need::Unused)
        );
        assert_eq!(Action::Pause.needs().reason, Need::Required);
        assert_eq!(Action::Resume.needs().bay, Need::Optional);
    }

    #[test]
    fn a_call_needs_a_reason_and_may_name_its_bay_while_answer_and_clear_need_the_bay() {
        let n = Action::Call.needs();
        assert_eq!(
            (n.job, n.op, n.bay, n.reason),
            (Need::Unused, Need::Unused, Need::Optional, Need::Required)
        );
        for a in [Action::Answer, Action::Clear] {
            let n = a.needs();
            assert_eq!(
                (n.job, n.op, n.bay, n.reason),
                (Need::Unused, Need::Unused, Need::Required, Need::Unused)
            );
        }
        for r in CallReason::ALL {
            assert_eq!(CallReason::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert_eq!(CallReason::parse("coffee"), None);
    }

    #[test]
    fn the_new_actions_append_so_older_postcard_encodings_keep_their_meaning() {
        // postcard writes a unit variant as its index: the first thirteen must not move.
        let mut buf = [0u8; 4];
        assert_eq!(
            postcard::to_slice(&Action::ShiftEnd, &mut buf).unwrap(),
            [12]
        );
        assert_eq!(postcard::to_slice(&Action::Call, &mut buf).unwrap(), [13]);
        let s: Scan = serde_json::from_str(
            r#"{"v":1,"seq":7,"ts":"2026-11-22T09:15:03+08:00","badge":"T07","action":"call","reason":"parts"}"#,
        )
        .unwrap();
        assert_eq!(
            (s.action, s.reason.as_deref(), s.bay),
            (Action::Call, Some("parts"), None)
        );
    }
}
