//! A job's promise as the events stream tells it (contract §7.2): each change of its `late`
//! or `at_risk` goes out once, as a `promise` change. Both change with time alone (a promised
//! time coming near, an ETA pushed past it by closing time), so the clock task looks at every
//! job; a job card looks again at its job at once, and scans note the jobs they name for the
//! clock task to look at within [`GATHER`] ([`keep_time`](crate::keep_time)): a look costs
//! milliseconds, which the write path does not spend on every batch. The `at_risk` webhook
//! events are the store's business: `at_risk.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bayline_domain::Time;
use bayline_proto::Id;

use bayline_store::ScanRecord;

use crate::{lock, Ledger, SiteLive, Update};

/// How long the look at the jobs scans named waits for more scans to gather: a few looks a
/// second at most, however fast the scans come.
pub const GATHER: Duration = Duration::from_millis(200);

/// The `(late, at_risk)` last told of each job of a site.
pub(crate) type Told = BTreeMap<Id, (bool, bool)>;

/// What the site shows at `now`, told as it is (at startup nothing has changed yet).
pub(crate) fn first(workshop: &bayline_domain::Workshop, now: Time) -> Told {
    (workshop.promises(now, None).into_iter())
        .map(|(job, late, at_risk)| (job, (late, at_risk)))
        .collect()
}

impl Ledger {
    /// Tells the changes of `late` and `at_risk` at `now` of the jobs in `only` (all when
    /// `None`) since they were last told.
    pub(crate) fn tell_promises(&self, live: &SiteLive, now: Time, only: Option<&BTreeSet<Id>>) {
        let now_shown = live.read(|w| w.promises(now, only));
        let mut told = lock(&live.told);
        for (job, late, at_risk) in now_shown {
            let flags = (late, at_risk);
            let before = told.insert(job.clone(), flags);
            if before != Some(flags) {
                let _ = (self.changes).send(Update::of_promise(&live.config.id, &job, flags, now));
            }
        }
    }

    /// Notes the jobs a batch of scans names, for [`Ledger::tell_noted_promises`].
    pub(crate) fn note_promises_of(&self, records: &[ScanRecord]) {
        let mut noted = false;
        for r in records {
            let job = r.event().and_then(|e| e.kind.job());
            if let (Some(job), Some(live)) = (job, self.sites.get(&r.site)) {
                lock(&live.noted).insert(job.clone());
                noted = true;
            }
        }
        if noted {
            self.noted.notify_one();
        }
    }

    /// Returns once scans have named jobs since the last [`Ledger::tell_noted_promises`].
    pub async fn promises_noted(&self) {
        self.noted.notified().await
    }

    /// Tells the promise changes at `now` of the jobs scans named since the last call.
    pub fn tell_noted_promises(&self, now: Time) {
        for live in self.sites.values() {
            self.tell_noted(live, now);
        }
    }

    /// [`Ledger::tell_noted_promises`] of one site. A job card calls it before it changes
    /// anything, so that what the scans before it did is told before what it does.
    pub(crate) fn tell_noted(&self, live: &SiteLive, now: Time) {
        let jobs = std::mem::take(&mut *lock(&live.noted));
        if !jobs.is_empty() {
            self.tell_promises(live, now, Some(&jobs));
        }
    }

    /// [`Ledger::tell_promises`] of every job of every site.
    pub fn tell_all_promises(&self, now: Time) {
        for live in self.sites.values() {
            self.tell_promises(live, now, None);
        }
    }
}
