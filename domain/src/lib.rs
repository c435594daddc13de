//! The domain core of bayline: events in, state out. No I/O, no clock reads — every function
//! that needs "now" takes it as a parameter — so the whole workshop can be tested in
//! microseconds and replayed from storage bit for bit.
//!
//! # Layout
//! - [`correction`]: a manager's add, move or void of an event, kept with who and why.
//! - [`decode`]: payload bytes → event or reject code (contract §3.1–3.2); the clock is a
//!   parameter.
//! - [`dispatch`]: the foreman's assignments of ops to technicians, teams, bays and days,
//!   and the queues they make.
//! - [`event`]: a stored scan as the domain sees it, and its timeline key `(ts, scanner, seq)`.
//! - [`catalog`]: what the site knows before any scan: bays, badges, job cards.
//! - [`fold`]: the state machine. Folding the sorted events gives the [`fold::State`]; the
//!   same set of events gives the same state whatever order they arrived in.
//! - [`judgement`]: what judging a scan decided, for its reply.
//! - [`kpi`]: the figures of contract §6 for a period, whole or grouped by badge, bay, day.
//! - [`loading`]: workshop loading by day and team, and the earliest promise for more work.
//! - [`schedule`]: the calendar: opening hours (several spans a day, holidays, special days)
//!   in the site's time zone, DST included, and a crew's planned hours within them.
//! - [`stage`]: a job's stage, by the contract's first-rule-that-holds list.
//! - [`workshop`]: one site's catalog + timeline + state; admits new events (rejecting what
//!   the contract rejects) and recomputes what a late event changes.
//! - [`boards`]: the board models the displays receive (contract §3.3), from the views.
//! - [`view`]: what the API and boards show of a job, a bay, the lounge — computed at `now`.
//! - [`reason`]: pause reasons: the contract's five and the site's own, each counted as one
//!   of the five.
//! - [`present`]: how an answer reads: instants in the site's offset to the second, fractions
//!   to four decimals.
pub mod boards;
pub mod catalog;
pub mod comeback;
pub mod correction;
pub mod decode;
pub mod dispatch;
pub mod event;
pub mod fold;
pub mod judgement;
pub mod kpi;
pub mod loading;
pub mod present;
pub mod reason;
#[doc(hidden)]
pub mod sample;
pub mod schedule;
pub mod stage;
#[cfg(test)]
mod testkit;
pub mod view;
pub mod workshop;

pub use catalog::{BayKind, Catalog, JobCard, OpCard, Role};
pub use correction::{Amendment, Corrected, Correction, CorrectionError};
pub use dispatch::{AssignError, Assignee, Assignment};
pub use event::{Event, EventKey, EventKind};
pub use fold::{Call, ClockOff, State};
pub use judgement::Judgement;
pub use reason::{Reason, Reasons, SiteReason};
pub use schedule::{DayHours, OpeningHours, Planned, Schedule};
pub use stage::stage_of;
pub use stage::Stage;
pub use workshop::{
    decode_checkpoint, encode_checkpoint, Admission, Anomaly, Freeze, Settings, Verdict, Workshop,
};

/// An instant. The domain never reads the clock; callers pass `now`.
pub type Time = jiff::Timestamp;
pub use bayline_proto::{CallReason, Id, PauseReason, RejectCode, WarningCode};
