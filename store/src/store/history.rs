//! The [`Store`] calls of years of history (`backend/history.rs`): freezing days and reading
//! them back, a start's open work, and thawing.

use bayline_domain::kpi::{Outcome, Totals};
use bayline_domain::{Call, Event, Freeze, JobCard, Time};
use bayline_proto::Id;
use jiff::civil::Date;

use super::{Db, SeenRow, Store};
use crate::backend::history::Checkpoint;
use crate::backend::outcomes::OutcomeDetail;
use crate::StoreError;

impl Store {
    /// Stores what a freeze took out of the live state, all or nothing.
    pub async fn put_freeze(&self, site: &Id, f: &Freeze) -> Result<(), StoreError> {
        on_backend!(self, db => db.put_freeze(site, f).await)
    }

    /// The newest checkpoint at or before `at` (`Time::MAX`: the site's freeze point).
    pub async fn checkpoint_before(
        &self,
        site: &Id,
        at: Time,
    ) -> Result<Option<Checkpoint>, StoreError> {
        on_backend!(self, db => db.checkpoint_before(site, at).await)
    }

    /// The frozen days in `[from, to)` with their totals, by date.
    pub async fn frozen_days(
        &self,
        site: &Id,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Date, Totals)>, StoreError> {
        on_backend!(self, db => db.frozen_days(site, from, to).await)
    }

    /// The closed jobs with something the job figures count in `[from, to)`, by job.
    pub async fn outcomes_in(
        &self,
        site: &Id,
        from: Time,
        to: Time,
        detail: OutcomeDetail,
    ) -> Result<Vec<Outcome>, StoreError> {
        on_backend!(self, db => db.outcomes_in(site, from, to, detail).await)
    }

    /// The calls that left the live state and were opened or answered in `[from, to)`.
    pub async fn calls_in(&self, site: &Id, from: Time, to: Time) -> Result<Vec<Call>, StoreError> {
        on_backend!(self, db => db.calls_in(site, from, to).await)
    }

    /// Those of `jobs` that have closed (delivered before a freeze point), with when they
    /// were delivered: a live state keeps only the closed jobs its own events name.
    pub async fn closed_among(
        &self,
        site: &Id,
        jobs: &[Id],
    ) -> Result<Vec<(Id, Time)>, StoreError> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        on_backend!(self, db => db.closed_among(site, jobs).await)
    }

    /// A closed job's whole outcome, as frozen; `None` when it has not closed.
    pub async fn outcome_of(&self, site: &Id, job: &Id) -> Result<Option<Outcome>, StoreError> {
        on_backend!(self, db => db.outcome_of(site, job).await)
    }

    /// The deliveries of closed jobs at or after `since` that have a plate: (plate key, when,
    /// job). A start reads those a job in memory may come back from
    /// ([`bayline_domain::Workshop::deliveries_wanted_since`]).
    pub async fn deliveries_since(
        &self,
        site: &Id,
        since: Time,
    ) -> Result<Vec<(String, Time, Id)>, StoreError> {
        on_backend!(self, db => db.deliveries_since(site, since).await)
    }

    /// The cards of the jobs that have not closed.
    pub async fn live_jobs(&self, site: &Id) -> Result<Vec<JobCard>, StoreError> {
        on_backend!(self, db => db.live_jobs(site).await)
    }

    /// The accepted events with `ts` in `[from, to)`, in no particular order.
    pub async fn events_in(
        &self,
        site: &Id,
        from: Time,
        to: Option<Time>,
    ) -> Result<Vec<Event>, StoreError> {
        on_backend!(self, db => db.events_in(site, from, to).await)
    }

    /// When the site's earliest accepted event happened, if it has any.
    pub async fn first_event(&self, site: &Id) -> Result<Option<Time>, StoreError> {
        on_backend!(self, db => db.first_event(site).await)
    }

    /// The first scans received at or after `since`, with their replies.
    pub async fn seen_since(&self, site: &Id, since: Time) -> Result<Vec<SeenRow>, StoreError> {
        on_backend!(self, db => db.seen_since(site, since).await)
    }

    /// Forgets what was frozen at or after the checkpoint instant `at` (whose local date is
    /// `day`): that checkpoint becomes the site's freeze point again.
    pub async fn forget_frozen_from(
        &self,
        site: &Id,
        at: Time,
        day: Date,
    ) -> Result<(), StoreError> {
        on_backend!(self, db => db.forget_frozen_from(site, at, day).await)
    }

    /// Forgets a site's frozen days, outcomes and checkpoints (before a rebuild).
    pub async fn forget_frozen(&self, site: &Id) -> Result<(), StoreError> {
        on_backend!(self, db => db.forget_frozen(site).await)
    }
}
