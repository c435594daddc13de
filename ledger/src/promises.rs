//! A job's promise as the events stream tells it (contract §7.2): each change of its `late`
//! or `at_risk` goes out once, as a `promise` change. Both change with time alone (a promised
//! time coming near, an ETA pushed past it by closing time), so the clock task looks at every
//! job; a scan or a job card looks again at the jobs it names at once.

use std::collections::{BTreeMap, BTreeSet};

use bayline_domain::Time;
use bayline_proto::Id;

use crate::{lock, Change, Ledger, SiteLive};

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
            if told.insert(job.clone(), flags) != Some(flags) {
                let _ = (self.changes).send(Change::of_promise(&live.config.id, &job, flags, now));
            }
        }
    }

    /// [`Ledger::tell_promises`] of every job of every site.
    pub fn tell_all_promises(&self, now: Time) {
        for live in self.sites.values() {
            self.tell_promises(live, now, None);
        }
    }
}
