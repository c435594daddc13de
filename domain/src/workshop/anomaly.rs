//! What §4 kept but did not apply, for a manager to review (`GET …/anomalies`).

use bayline_proto::{Action, WarningCode};
use serde::Serialize;

use super::Workshop;
use crate::fold::Forgotten;
use crate::{Event, EventKey, Id, Time};

/// Something §4 kept but did not apply, for a manager to review: a stored event that makes no
/// sense at its place in the timeline, or a forgotten clock-off the system applied by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    pub code: WarningCode,
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
    /// What §4 kept but did not apply, at `now`: the events the current timeline judges
    /// nonsense, and the forgotten clock-offs due by `now`; in time order (an event by its
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
