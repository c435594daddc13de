//! What judging a scan decided, as much as its reply needs to say.

use crate::Event;
use bayline_proto::{Id, RejectCode, WarningCode};

/// A scan's outcome, for the reply text (the site's wording is in `bayline_site::reply`).
#[derive(Debug, Clone)]
pub enum Judgement<'a> {
    Rejected {
        seq: Option<u64>,
        code: RejectCode,
        detail: &'a str,
    },
    Accepted {
        event: &'a Event,
        warning: Option<WarningCode>,
        /// The bay the scan happened at, where the event does not name it (a resume).
        bay: Option<Id>,
        /// For a `shift_start`, the badge's first assigned op today, as `(job, op)`
        /// (contract §7.3).
        first_assigned: Option<(Id, Id)>,
    },
}
