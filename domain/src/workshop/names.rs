//! The checks of a new event that do not depend on its place in the timeline: the names it
//! gives (badge, job, op, bay, pause reason) against the catalog, and a job already closed.

use bayline_proto::RejectCode;

use super::Workshop;
use crate::event::{Event, EventKind};

impl Workshop {
    /// The checks that do not depend on the event's place in the timeline, in the order the
    /// reply reports them.
    pub(crate) fn check_names(&self, event: &Event) -> Result<(), RejectCode> {
        let cat = &self.catalog;
        // The payload's own mistake comes first, as the decoder's would: a pause reason the
        // site's table does not list.
        if let EventKind::Pause { reason, .. } = &event.kind {
            if !cat.pause_reasons.knows(reason) {
                return Err(RejectCode::BadPayload);
            }
        }
        if !cat.badges.contains_key(&event.badge) {
            return Err(RejectCode::UnknownBadge);
        }
        if event.kind.job().is_some_and(|j| cat.closed.contains_key(j)) {
            return Err(RejectCode::JobClosed);
        }
        let card = match event.kind.job() {
            Some(job) => Some(cat.jobs.get(job).ok_or(RejectCode::UnknownJob)?),
            None => None,
        };
        if let (Some(card), Some(op)) = (card, event.kind.op()) {
            card.op(op).ok_or(RejectCode::UnknownOp)?;
        }
        if event.kind.bay().is_some_and(|b| !cat.bays.contains_key(b)) {
            return Err(RejectCode::UnknownBay);
        }
        let delivered = event
            .kind
            .job()
            .and_then(|j| self.state.job(j)?.delivered_at);
        if delivered.is_some_and(|d| d < event.key.ts) {
            return Err(RejectCode::JobClosed);
        }
        Ok(())
    }
}
