//! The reply on `bayline/{site}/scanners/{scanner}/reply` (contract §3.2).

use core::fmt;

use serde::{Deserialize, Serialize};

/// Longest reply message in characters: what a handheld screen shows.
pub const MAX_MSG_CHARS: usize = 64;
/// Bytes for [`MAX_MSG_CHARS`] characters of up to four UTF-8 bytes each.
pub const MAX_MSG_BYTES: usize = MAX_MSG_CHARS * 4;

macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|c| c.as_str() == s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

codes! {
    /// Why a scan was rejected: stored for review, not applied.
    RejectCode {
        BadPayload = "bad_payload",
        TooLarge = "too_large",
        BadVersion = "bad_version",
        UnknownAction = "unknown_action",
        MissingField = "missing_field",
        UnknownJob = "unknown_job",
        UnknownOp = "unknown_op",
        UnknownBay = "unknown_bay",
        UnknownBadge = "unknown_badge",
        BadTime = "bad_time",
        SeqConflict = "seq_conflict",
        BayBusy = "bay_busy",
        JobClosed = "job_closed",
        UnknownSite = "unknown_site",
    }
}

codes! {
    /// What looks wrong about a stored scan, listed as an anomaly for review: a scan that makes
    /// no sense at its place in the timeline is kept but not applied (contract §4 "Nonsense is
    /// kept, not applied"); a scan that makes sense but bends a rule of the figures is applied
    /// all the same ([`WarningCode::applied`], contract §7.6).
    WarningCode {
        NotClockedOn = "not_clocked_on",
        AlreadyClockedOn = "already_clocked_on",
        OpFinished = "op_finished",
        NoBay = "no_bay",
        AlreadyCheckedIn = "already_checked_in",
        OpsUnfinished = "ops_unfinished",
        NotOnShift = "not_on_shift",
        AlreadyOnShift = "already_on_shift",
        BayBusy = "bay_busy",
        JobClosed = "job_closed",
        ForgottenClockOff = "forgotten_clock_off",
        NoOpenCall = "no_open_call",
        CallOpen = "call_open",
        AlreadyAnswered = "already_answered",
        NotQc = "not_qc",
        SelfInspection = "self_inspection",
        NoQc = "no_qc",
        NotAssigned = "not_assigned",
        WrongRole = "wrong_role",
    }
}

impl WarningCode {
    /// Whether a scan with this warning is applied: these codes question who scanned or what
    /// was skipped (or who was planned), not whether the scan can happen, and refusing them
    /// would only hide the car's real state from the boards.
    pub fn applied(self) -> bool {
        matches!(
            self,
            WarningCode::NotQc
                | WarningCode::SelfInspection
                | WarningCode::NoQc
                | WarningCode::NotAssigned
                | WarningCode::WrongRole
        )
    }
}

/// The answer to one scan. `seq` is `null` when the payload had no readable seq.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub seq: Option<u64>,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<RejectCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<WarningCode>,
    pub msg: heapless::String<MAX_MSG_BYTES>,
}

impl Reply {
    pub fn accepted(seq: u64, msg: &str) -> Reply {
        Reply {
            seq: Some(seq),
            ok: true,
            code: None,
            warning: None,
            msg: clip(msg),
        }
    }

    pub fn warned(seq: u64, warning: WarningCode, msg: &str) -> Reply {
        Reply {
            seq: Some(seq),
            ok: true,
            code: None,
            warning: Some(warning),
            msg: clip(msg),
        }
    }

    pub fn rejected(seq: Option<u64>, code: RejectCode, msg: &str) -> Reply {
        Reply {
            seq,
            ok: false,
            code: Some(code),
            warning: None,
            msg: clip(msg),
        }
    }
}

/// Cuts `msg` to [`MAX_MSG_CHARS`] characters, ending in `…` when cut.
pub fn clip(msg: &str) -> heapless::String<MAX_MSG_BYTES> {
    let mut out = heapless::String::new();
    let count = msg.chars().count();
    let keep = if count > MAX_MSG_CHARS {
        MAX_MSG_CHARS - 1
    } else {
        count
    };
    for c in msg.chars().take(keep) {
        // Cannot overflow: MAX_MSG_BYTES holds MAX_MSG_CHARS four-byte characters.
        let _ = out.push(c);
    }
    if count > MAX_MSG_CHARS {
        let _ = out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_serialise_as_the_contract_shows() {
        let r = Reply::accepted(42, "B03: RO-240117 op 10 started");
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"seq":42,"ok":true,"msg":"B03: RO-240117 op 10 started"}"#
        );
        let r = Reply::rejected(
            Some(42),
            RejectCode::UnknownJob,
            "RO-240117 is not an open job",
        );
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"seq":42,"ok":false,"code":"unknown_job","msg":"RO-240117 is not an open job"}"#
        );
        let r = Reply::rejected(None, RejectCode::TooLarge, "x");
        assert!(serde_json::to_string(&r)
            .unwrap()
            .starts_with(r#"{"seq":null,"ok":false"#));
    }

    #[test]
    fn long_messages_are_cut_to_a_handheld_screen() {
        let long = "工".repeat(100);
        let m = clip(&long);
        assert_eq!(m.chars().count(), MAX_MSG_CHARS);
        assert!(m.ends_with('…'));
        assert_eq!(clip("short").as_str(), "short");
        assert_eq!(clip(&"a".repeat(64)).as_str(), "a".repeat(64));
    }

    #[test]
    fn every_code_round_trips() {
        for c in RejectCode::ALL {
            assert_eq!(RejectCode::parse(c.as_str()), Some(*c));
        }
        for c in WarningCode::ALL {
            assert_eq!(WarningCode::parse(c.as_str()), Some(*c));
        }
    }
}
