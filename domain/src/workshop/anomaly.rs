//! What §4 kept but did not apply, and what §7.6 applied with a warning, for a manager to
//! review (`GET …/anomalies`).

use bayline_proto::{Action, WarningCode};
use serde::Serialize;

use super::Workshop;
use crate::fold::Forgotten;
use crate::{Event, EventKey, Id, Time};

/// Something for a manager to review: a stored event that makes no sense at its place in the
/// timeline (kept, not applied), an event applied with a warning (QC by the wrong badge, a
/// handover without QC), or a forgotten clock-off the system applied by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    pub code: WarningCode,
    /// Whether it changed the state: a forgotten clock-off and a warned event did, nonsense
    /// did not.
    pub applied: bool,
    /// The event's `ts`; for a forgotten clock-off, the closing time it was clocked off at.
    pub ts: Time,
    pub badge: Id,
    pub job: Option<Id>,
    pub op: Option<Id>,
    pub bay: Option<Id>,
    /// The stored event's key and action; `None` for a forgotten clock-off, which no scan
    /// caused.
    pub event: Option<EventKey>,
    pub action: Option<Action>,
}

impl Anomaly {
    fn of_event(e: &Event, code: WarningCode) -> Anomaly {
        Anomaly {
            code,
            applied: code.applied(),
            ts: e.key.ts,
            badge: e.badge.clone(),
            job: e.kind.job().cloned(),
            op: e.kind.op().cloned(),
            bay: e.kind.bay().cloned(),
            event: Some(e.key.clone()),
            action: Some(e.kind.action()),
        }
    }

    fn of_forgotten(f: &Forgotten) -> Anomaly {
        Anomaly {
            code: WarningCode::ForgottenClockOff,
            applied: true,
            ts: f.closing,
            badge: f.badge.clone(),
            job: Some(f.job.clone()),
            op: Some(f.op.clone()),
            bay: Some(f.bay.clone()),
            event: None,
            action: None,
        }
    }
}

impl Workshop {
    /// What is listed for review at `now`: the events the current timeline judges nonsense
    /// or applied with a warning, and the forgotten clock-offs due by `now`; in time order (an event by its
    /// `ts`, a forgotten clock-off by the closing time it was clocked off at).
    pub fn anomalies(&self, now: Time) -> Vec<Anomaly> {
        let state = self.state_at(now);
        let events = (state.anomalies.iter())
            .filter_map(|(key, code)| Some(Anomaly::of_event(self.events.get(key)?, *code)));
        let forgotten = state.forgotten.iter().map(Anomaly::of_forgotten);
        let mut all: Vec<Anomaly> = events.chain(forgotten).collect();
        // Stable: events keep their timeline order among equal instants.
        all.sort_by_key(|a| a.ts);
        all
    }
}
